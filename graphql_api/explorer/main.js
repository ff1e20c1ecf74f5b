// The guideline lookup explorer: a client of the public GraphQL API (POST /graphql) only.
//
// The entry module, the one index.html loads: it routes the address to a page's view and wires the
// lookup form and the search box. Each page is a module of its own.

import { isIsoDate, parseRoute, routeHref, state } from "./address.js";
import { gql } from "./api.js";
import { errorPanel, notFoundView } from "./common.js";
import { $ } from "./dom.js";
import { homeView } from "./home.js";
import { letterView } from "./letter.js";
import { conditionView, documentView, sectionView } from "./reference.js";
import { setupSearch } from "./search.js";
import { treatmentView } from "./treatment.js";

const GRAPH_INFO = "{ graphInfo { version counts { sections treatments conditions documents criteria } } }";

// The form's fields follow the address; a change of a field rewrites the address in place.
function syncFromRoute(route) {
  const asOf = route.params.get("asOf");
  if (isIsoDate(asOf)) state.asOf = asOf;
  if (route.params.has("dx")) state.dx = route.params.get("dx") || "";
  else if (route.view !== "letter" && route.params.has("asOf")) state.dx = "";
  $("#as-of").value = state.asOf;
  if (document.activeElement !== $("#dx")) $("#dx").value = state.dx;
}

function rewriteAddress() {
  const route = parseRoute();
  const next = routeHref(route);
  if (next !== location.hash) history.replaceState(null, "", next);
  render({ keepFocus: true });
}

// ------------------------------------------------------------------ rendering

let renderToken = 0;
const VIEWS = {
  home: homeView, treatment: treatmentView, section: sectionView, condition: conditionView,
  document: documentView, letter: letterView,
};

async function render({ keepFocus = false } = {}) {
  const route = parseRoute();
  syncFromRoute(route);
  const token = ++renderToken;
  const main = $("#main");
  const focusWasInMain = main.contains(document.activeElement) && document.activeElement !== main;
  document.body.dataset.view = route.view;
  for (const link of document.querySelectorAll("[data-nav]")) {
    const current = link.dataset.nav === (route.view === "letter" ? "letter" : "home");
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  $("#lead").hidden = route.view !== "home";
  main.setAttribute("aria-busy", "true");
  main.dataset.state = "loading";
  try {
    const view = VIEWS[route.view] || notFoundView;
    const content = await view(route);
    if (token !== renderToken) return;
    main.replaceChildren(content);
    main.dataset.state = "ready";
    const heading = $("h1, h2", main);
    searchFollowsPage(route, $("h1", main));
    document.title = `${heading && route.view !== "home" ? `${heading.textContent} · ` : ""}Guideline lookup`;
    if (focusWasInMain && !keepFocus && heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  } catch (err) {
    if (token !== renderToken) return;
    main.replaceChildren(errorPanel(err));
    main.dataset.state = "error";
  } finally {
    if (token === renderToken) main.setAttribute("aria-busy", "false");
  }
}

// The search box names the page shown: after a link, the address bar or Back, it does not keep the
// query of another page. A change of date or diagnosis keeps the page, and the box as it is; so does
// a box being typed in.
let shownPage = null;

function searchFollowsPage(route, heading) {
  const page = `${route.view}/${route.id || ""}`;
  if (page === shownPage) return;
  shownPage = page;
  const input = $("#search");
  if (document.activeElement === input) return;
  const named = ["treatment", "section", "condition", "document"].includes(route.view) && heading;
  input.value = named ? heading.textContent.trim() : "";
}

// ------------------------------------------------------------------ the form

function setupForm() {
  const form = $("#lookup-form");
  const asOf = $("#as-of");
  const dx = $("#dx");
  asOf.value = state.asOf;
  form.addEventListener("submit", (event) => event.preventDefault());
  asOf.addEventListener("change", () => {
    if (!isIsoDate(asOf.value)) return;
    state.asOf = asOf.value;
    rewriteAddress();
  });
  let dxTimer = 0;
  const dxChanged = () => {
    window.clearTimeout(dxTimer);
    const value = dx.value.trim();
    if (value === state.dx) return;
    state.dx = value;
    rewriteAddress();
  };
  dx.addEventListener("change", dxChanged);
  dx.addEventListener("input", () => {
    window.clearTimeout(dxTimer);
    dxTimer = window.setTimeout(dxChanged, 700);
  });
  dx.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      dxChanged();
    }
  });
}

async function showGraphVersion() {
  try {
    const { graphInfo } = await gql(GRAPH_INFO);
    const c = graphInfo.counts;
    $("#graph-version").textContent = `Graph ${graphInfo.version.slice(0, 12)}: ${c.documents} documents, `
      + `${c.sections} sections, ${c.criteria} criteria, ${c.treatments} treatments, ${c.conditions} diagnoses.`;
  } catch (err) {
    $("#graph-version").textContent = "";
  }
}

function start() {
  const route = parseRoute();
  if (!route.params.has("asOf") && !["home", "letter"].includes(route.view)) {
    history.replaceState(null, "", routeHref(route));
  }
  setupForm();
  setupSearch();
  window.addEventListener("hashchange", () => render());
  render({ keepFocus: true });
  showGraphVersion();
}

start();
