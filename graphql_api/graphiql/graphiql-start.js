// Starts GraphiQL on this server's /graphql. A file of its own, not an inline script: the page's
// Content-Security-Policy allows scripts from this server only. No subscriptions (the API has none),
// so no WebSocket.
(function () {
  "use strict";
  var EXAMPLE = [
    "# The guideline-kg GraphQL API. Ctrl-Enter (or the run button) runs the query;",
    "# the Docs button lists every type and field.",
    "query Governing {",
    "  compare(treatment: \"tx:cyclobenzaprine\", asOf: \"2022-06-01\") {",
    "    governing { guideline text pages }",
    "    guidance { source governs citation { text } }",
    "  }",
    "}",
    "",
  ].join("\n");
  var params = new URLSearchParams(window.location.search);
  var url = window.location.origin + window.location.pathname;
  var fetcher = GraphiQL.createFetcher({ url: url });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: EXAMPLE,
    query: params.get("q") || undefined,  // not "query": a GET with it runs the query
    variables: params.get("variables") || undefined,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: false,
  }));
}());
