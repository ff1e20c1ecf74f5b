#!/bin/sh
# Fetches the GraphiQL page's scripts and styles from the npm registry at pinned versions into
# graphql_api/graphiql/, so /graphql in a browser loads nothing from another host (issue 17: offline
# use, and the proxies of shops that handle health information).
#
# graphiql.min.js is GraphiQL's UMD bundle: it carries graphql-js, CodeMirror 5 and its other
# dependencies (see THIRD_PARTY.md); React and ReactDOM are loaded beside it as their UMD builds.
# The integrity of each tarball is checked against the registry's by npm itself (npm pack).
# Run: make vendor-graphiql
set -eu
GRAPHIQL=3.8.3   # the version strawberry's own page (strawberry/static/graphiql.html) loads
REACT=18.2.0
OUT=$(cd "$(dirname "$0")/.." && pwd)/graphql_api/graphiql
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
for p in graphiql-$GRAPHIQL react-$REACT react-dom-$REACT; do
  mkdir "$p" && tar xzf "$p.tgz" -C "$p"
done
cp graphiql-$GRAPHIQL/package/graphiql.min.js graphiql-$GRAPHIQL/package/graphiql.min.css "$OUT/"
cp react-$REACT/package/umd/react.production.min.js "$OUT/"
cp react-dom-$REACT/package/umd/react-dom.production.min.js "$OUT/"
cp graphiql-$GRAPHIQL/package/LICENSE "$OUT/LICENSE-graphiql"
cp react-$REACT/package/LICENSE "$OUT/LICENSE-react"
cp react-dom-$REACT/package/LICENSE "$OUT/LICENSE-react-dom"
# The source maps point at files not shipped: drop the references (the browser would ask for them).
sed -i -e 's|^//# sourceMappingURL=.*$||' "$OUT/graphiql.min.js"
sed -i -e 's|/\*# sourceMappingURL=[^*]*\*/||' "$OUT/graphiql.min.css"
( cd "$OUT" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js \
    react-dom.production.min.js > SHA256SUMS )
echo "graphiql $GRAPHIQL, react $REACT and react-dom $REACT written to $OUT"
