// The guideline lookup explorer: a client of the public GraphQL API (POST /graphql) only.
//
// The page's state lives in the address (#/treatment/tx:cyclobenzaprine?asOf=2017-01-15&dx=M54.5),
// so every view can be shared. The Content-Security-Policy allows no inline script or style: the
// DOM is built with createElement / createElementNS and styled by classes from explorer.css.
// Letter text is sent to the API only; it is never put in the address, stored or logged.

const SVG_NS = "http://www.w3.org/2000/svg";
const $ = (selector, root = document) => root.querySelector(selector);

// ------------------------------------------------------------------ DOM helpers

function setAttrs(el, attrs) {
  if (!attrs) return el;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === "") continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function h(tag, attrs, ...children) {
  return append(setAttrs(document.createElement(tag), attrs), children);
}

function svg(tag, attrs, ...children) {
  return append(setAttrs(document.createElementNS(SVG_NS, tag), attrs), children);
}

function announce(message) {
  const region = $("#announce");
  region.textContent = "";
  window.setTimeout(() => { region.textContent = message; }, 30);
}

// ------------------------------------------------------------------ the API

class ApiError extends Error {}

async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ApiError("The server cannot be reached. Is guideline-kg serve still running?");
  }
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    throw new ApiError(`The server answered ${response.status} without a readable body.`);
  }
  if (body.errors && body.errors.length) {
    throw new ApiError(body.errors.map((e) => e.message).join("; "));
  }
  if (!response.ok || !body.data) throw new ApiError(`The server answered ${response.status}.`);
  return body.data;
}

const CITATION_FIELDS = `guideline mtus document edition chapter section pages text evidenceStep recommendation
  guidelineSection { id title summary evidenceGrade }
  guidelineDocument { id label family adoptions { citationLabel regulation effectiveFrom effectiveUntil } }`;
const CRITERION_FIELDS = "kind text maxUnits minUnits unit perWeeks maxWeeks logic atLeast legalBasis";
const NEIGHBOURHOOD = "neighbourhood(id: $id) { center truncated nodes { id label kind } edges { source target relation } }";

const Q = {
  graphInfo: "{ graphInfo { version counts { sections treatments conditions documents criteria } } }",
  search: `query Search($q: String!) {
    treatments(search: $q, first: 6) { totalCount edges { node { id label kind brandNames aliases } } }
    conditions(search: $q, first: 5) { totalCount edges { node { id code label } } }
    sections(filter: { search: $q }, first: 6) { totalCount
      edges { node { id title pages recommendation document { id label } } } } }`,
  examples: `{
    norco: treatment(id: "tx:hydrocodone-acetaminophen") { id label brandNames }
    pt: treatment(id: "tx:physical-therapy") { id label }
    mri: treatment(id: "tx:mri-lumbar-spine") { id label }
    flexeril: treatment(id: "tx:cyclobenzaprine") { id label brandNames }
    documents { id label family adoptions { citationLabel effectiveFrom effectiveUntil regulation } } }`,
  treatment: `query Treatment($id: ID!, $asOf: Date!, $dx: String, $dxCode: String!, $hasDx: Boolean!) {
    treatment(id: $id) { id label kind aliases brandNames route broader { id label } }
    diagnosis: condition(code: $dxCode) @include(if: $hasDx) { id code label }
    compare(treatment: $id, asOf: $asOf, condition: $dx) {
      asOf condition outcome trace problems
      governing { ${CITATION_FIELDS} }
      guidance { source governs recommendation
        citation { ${CITATION_FIELDS} }
        criteria { id text status needs criterion { ${CRITERION_FIELDS} } } } }
    ${NEIGHBOURHOOD} }`,
  section: `query Section($id: ID!) {
    section(id: $id) { id title aliases number pages pageStart pageEnd bodyRegions phases recommendation
      evidenceGrade summary sources confidence citedInLetters
      document { id label letterTitle family editionLabel year chapter citeStyle pages
        adoptions { citationLabel regulation part effectiveFrom effectiveUntil } }
      parent { id title }
      addresses { id label kind }
      appliesTo { id code label }
      criteria { id ${CRITERION_FIELDS} requiresFact members { id ${CRITERION_FIELDS} } } }
    ${NEIGHBOURHOOD} }`,
  condition: `query Condition($code: String!, $id: ID!) {
    condition(code: $code) { id code label aliases icd9Codes bodyRegions validFrom validUntil sources confidence
      broader { id code label } narrower { id code label } replacedBy { id code label }
      sections { id title pages recommendation document { id label } } }
    ${NEIGHBOURHOOD} }`,
  document: `query Document($id: ID!) {
    documents { id label letterTitle aliases family citationLabel editionLabel year publicationDate chapter
      citeStyle pages bodyRegions sources confidence
      adoptions { citationLabel regulation part effectiveFrom effectiveUntil } supersededBy { id label } }
    sections(filter: { document: $id }, first: 100) { totalCount
      edges { node { id title pages recommendation } } } }`,
  audit: `query Audit($text: String!, $date: Date) {
    auditLetter(text: $text, date: $date) { __typename
      ... on UnreadableLetter { kind message }
      ... on LetterAudit { auditedOn findings { item kind severity message evidence }
        reading { dwcCaseNumber letterDates { dateAssigned decisionDate urDenialDate }
          case { age sex dateOfInjury diagnoses }
          items { heading service quantity quantityUnit decision medicallyNecessary rationaleText
            partialCertification { originalRequest authorizedByClaimsAdministrator imrEligiblePortion }
            claimsAdministratorCitations { text mtus guideline topic pages edition chapter sections }
            reviewerCitations { text mtus guideline topic pages edition chapter sections } } } } } }`,
};

// ------------------------------------------------------------------ words

const RECOMMENDATION = {
  RECOMMENDED: ["Recommended", "rec-yes"],
  RECOMMENDED_WITH_CONDITIONS: ["Recommended with conditions", "rec-cond"],
  NOT_RECOMMENDED: ["Not recommended", "rec-no"],
  NO_RECOMMENDATION: ["No recommendation", "rec-none"],
};
const CRITERION_KIND = {
  QuantityLimit: "Quantity", DurationLimit: "Duration", FrequencyLimit: "Frequency", Prerequisite: "Prerequisite",
  Documentation: "Documentation", Exclusion: "Exclusion", Indication: "Indication", StatutoryCap: "Statutory cap",
};
const STATUS = {
  MET: ["Met", "st-met"], NOT_MET: ["Not met", "st-not-met"], INSUFFICIENT_INFORMATION: ["Open", "st-open"],
};
const FINDING_KIND = {
  mtus_label: "MTUS label", superseded_edition: "Superseded edition", search_sequence: "Search sequence",
  pages_outside_section: "Pages outside the section", impossible_page_range: "Impossible page range",
  wrong_region: "Wrong body region", no_citation: "No citation",
  decision_contradicts_rationale: "Decision contradicts rationale", rationale_copied: "Copied rationale",
  rationale_other_service: "Rationale about another service",
};
const CONFIDENCE = {
  V2: "verified against two sources", "V2+": "verified against two or more sources", V1: "verified against one source",
  REQ: "as the requirements state it, not yet checked against the guideline", LETTERS: "as determination letters cite it",
  U: "unverified",
};
const KIND_PATH = { TREATMENT: "treatment", SECTION: "section", DOCUMENT: "document", CONDITION: "condition" };

const num = (x) => (Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100));
const words = (key) => key.replace(/_/g, " ");

function recommendationBadge(value) {
  if (!value) return null;
  const [label, cls] = RECOMMENDATION[value] || [value, "rec-none"];
  return h("span", { class: ["rec", cls] }, label);
}

function mtusBadge(mtus, label) {
  return mtus
    ? h("span", { class: "badge badge-mtus", title: label ? `${label}: part of the MTUS on this date` : null }, "MTUS")
    : h("span", { class: "badge badge-non-mtus", title: "Not part of the MTUS on this date" }, "Non-MTUS");
}

function criterionNumbers(c) {
  if (!c) return null;
  const parts = [];
  if (c.maxUnits !== null && c.maxUnits !== undefined) {
    const unit = c.unit || "units";
    parts.push(c.minUnits !== null && c.minUnits !== undefined && c.minUnits !== c.maxUnits
      ? `${num(c.minUnits)}–${num(c.maxUnits)} ${unit}` : `≤ ${num(c.maxUnits)} ${unit}`);
    if (c.perWeeks) parts.push(`per ${num(c.perWeeks)} wk`);
  } else if (c.perWeeks) {
    parts.push(`per ${num(c.perWeeks)} wk`);
  }
  if (c.maxWeeks !== null && c.maxWeeks !== undefined) parts.push(`≤ ${num(c.maxWeeks)} wk`);
  if (c.logic === "AtLeast" && c.atLeast) parts.push(`at least ${c.atLeast} of`);
  else if (c.logic === "AnyOf") parts.push("any of");
  else if (c.logic === "AllOf") parts.push("all of");
  if (c.legalBasis) parts.push(c.legalBasis);
  return parts.length ? parts.join(" · ") : null;
}

function adoptionOn(adoptions, on) {
  return (adoptions || []).find((a) => a.effectiveFrom <= on && (!a.effectiveUntil || on < a.effectiveUntil)) || null;
}

function adoptionWords(a) {
  const until = a.effectiveUntil ? `, replaced on ${a.effectiveUntil}` : ", still in force";
  return `${a.citationLabel} from ${a.effectiveFrom}${until} (${a.regulation})`;
}

function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

// A whole date of a plausible year: typing a year into a date field passes through 0002, 0020, 0201 ...
const isIsoDate = (value) => /^(19[5-9]\d|2\d{3})-\d{2}-\d{2}$/.test(value || "");

// ------------------------------------------------------------------ the address

const state = { asOf: todayIso(), dx: "" };

function encodeId(id) {
  return encodeURIComponent(id).replace(/%3A/gi, ":");
}

function href(view, id, { withLookup = true } = {}) {
  let path = view === "home" ? "/" : `/${view}${id ? `/${encodeId(id)}` : ""}`;
  if (withLookup && view !== "letter") {
    const params = new URLSearchParams();
    if (state.asOf) params.set("asOf", state.asOf);
    if (state.dx) params.set("dx", state.dx);
    const query = params.toString();
    if (query) path += `?${query}`;
  }
  return `#${path}`;
}

function decodePart(part) {
  try {
    return decodeURIComponent(part);
  } catch (err) {
    return part;
  }
}

function parseRoute() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const cut = raw.indexOf("?");
  const path = cut < 0 ? raw : raw.slice(0, cut);
  const params = new URLSearchParams(cut < 0 ? "" : raw.slice(cut + 1));
  const parts = path.split("/").filter(Boolean).map(decodePart);
  return { view: parts[0] || "home", id: parts.length > 1 ? parts.slice(1).join("/") : null, params };
}

function routeHref(route) {
  return href(route.view, route.id);
}

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

function errorPanel(err) {
  return h("div", { class: "panel panel-error", role: "alert" },
    h("h2", null, "Something went wrong"),
    h("p", null, err instanceof ApiError ? err.message : "The page could not show this answer."),
    h("p", null, h("a", { href: "#/" }, "Start again")));
}

function notFoundView(route, what) {
  return h("div", { class: "panel" },
    h("h1", null, "Not found"),
    h("p", null, what || `There is no page “${route.view}” in the explorer.`),
    h("p", null, "Search above, or ", h("a", { href: "#/" }, "start from the beginning"), "."));
}

// ------------------------------------------------------------------ landing

let landingData = null;

async function homeView() {
  landingData = landingData || await gql(Q.examples);
  const examples = [
    ["norco", "Norco"], ["pt", "Physical therapy"], ["mri", "MRI lumbar spine"], ["flexeril", "Flexeril"],
  ].filter(([key]) => landingData[key]);
  const exampleLinks = examples.map(([key, name]) => {
    const t = landingData[key];
    const also = name.toLowerCase() !== t.label.toLowerCase() ? h("span", { class: "muted" }, ` (${t.label})`) : null;
    return h("li", null, h("a", { href: href("treatment", t.id), class: "example" }, name, also));
  });
  return h("div", { class: "home" },
    h("section", { class: "home-start", "aria-labelledby": "start-h" },
      h("h2", { id: "start-h" }, "Start here"),
      h("ol", { class: "steps" },
        h("li", null, h("strong", null, "Search"), " a service by name, brand or abbreviation (",
          h("kbd", null, "flexeril"), ", ", h("kbd", null, "norco"), ", ", h("kbd", null, "PT"),
          "), or a diagnosis by ICD-10-CM code."),
        h("li", null, h("strong", null, "Set “As of”"), " to the date of the request, and optionally the diagnosis."),
        h("li", null, h("strong", null, "Read the governing column"),
          " — MTUS first, then ACOEM or ODG — and copy its citation into the letter.")),
      h("p", { class: "examples-label" }, "Examples:"),
      h("ul", { class: "examples" }, exampleLinks)),
    mtusTimeline(landingData.documents),
    h("section", { class: "home-letter", "aria-labelledby": "letter-h" },
      h("h2", { id: "letter-h" }, "Checking a determination letter?"),
      h("p", null, "Paste it to see its items, decisions and citations read, and what the audit finds: MTUS labels, "
        + "superseded editions, the search sequence, page ranges and rationales."),
      h("p", null, h("a", { href: "#/letter", class: "button-link" }, "Read a letter"))));
}

function mtusTimeline(documents) {
  const cpmtg = documents
    .flatMap((d) => d.adoptions.filter((a) => a.citationLabel === "MTUS CPMTG").map((a) => ({ d, a })))
    .sort((x, y) => (x.a.effectiveFrom < y.a.effectiveFrom ? -1 : 1));
  if (!cpmtg.length) return null;
  const last = cpmtg[cpmtg.length - 1].a.effectiveUntil;
  const rows = cpmtg.map(({ d, a }) => h("li", null,
    h("time", { datetime: a.effectiveFrom }, a.effectiveFrom), " – ",
    a.effectiveUntil ? h("span", null, `before ${a.effectiveUntil}`) : "today", ": ", h("strong", null, d.label)));
  if (last) {
    rows.push(h("li", null, h("time", { datetime: last }, last), " – today: ",
      h("strong", null, "the ACOEM guidelines adopted by reference")));
  }
  return h("section", { class: "home-timeline", "aria-labelledby": "timeline-h" },
    h("h2", { id: "timeline-h" }, "The chronic pain MTUS changes with the date"),
    h("ul", { class: "timeline" }, rows),
    h("p", { class: "muted" }, "The body-part chapters, acupuncture and post-surgical guidelines have dates of their own; "
      + "the answer for a service always names the document in force on the date you set."));
}

// ------------------------------------------------------------------ treatment: side by side

async function treatmentView(route) {
  const dx = state.dx.trim();
  const data = await gql(Q.treatment, {
    id: route.id, asOf: state.asOf, dx: dx || null, dxCode: dx, hasDx: Boolean(dx),
  });
  const t = data.treatment;
  if (!t) return notFoundView(route, `No treatment “${route.id}” in the graph.`);
  const c = data.compare;
  const names = [];
  if (t.brandNames.length) names.push(h("span", null, h("span", { class: "muted" }, "Brands "), t.brandNames.join(", ")));
  const brands = new Set(t.brandNames.map((b) => b.toLowerCase()));
  const aliases = t.aliases.filter((a) => !brands.has(a.toLowerCase()) && a.toLowerCase() !== t.label.toLowerCase());
  if (aliases.length) names.push(h("span", null, h("span", { class: "muted" }, "Also "), aliases.slice(0, 8).join(", ")));
  if (t.broader.length) {
    names.push(h("span", null, h("span", { class: "muted" }, "Kind of "),
      t.broader.map((b, i) => [i ? ", " : "", h("a", { href: href("treatment", b.id) }, b.label)])));
  }
  return h("article", { class: "view view-treatment", dataset: { treatment: t.id } },
    h("header", { class: "view-head" },
      h("p", { class: "eyebrow" }, "Treatment · ", t.kind, t.route ? ` · ${t.route}` : ""),
      h("h1", null, t.label),
      names.length ? h("p", { class: "names" }, names.map((n, i) => [i ? h("span", { class: "sep" }, " · ") : "", n])) : null),
    governingPanel(t, c, data.diagnosis),
    h("section", { class: "compare", "aria-labelledby": "compare-h" },
      h("h2", { id: "compare-h", class: "section-title" }, "MTUS, ACOEM and ODG side by side"),
      h("div", { class: "columns" }, c.guidance.map((g) => guidanceColumn(g, t, c)))),
    neighbourhoodPanel(data.neighbourhood, t.label));
}

function governingPanel(t, c, diagnosis) {
  const gov = c.governing;
  const dxLine = state.dx.trim()
    ? h("p", { class: "dx-line" }, h("span", { class: "muted" }, "Diagnosis "),
      diagnosis ? [h("a", { href: href("condition", diagnosis.id) }, diagnosis.code || diagnosis.id), " ", diagnosis.label]
        : `“${state.dx.trim()}” (read as words)`)
    : h("p", { class: "dx-line muted" }, "No diagnosis given: every section addressing the service is considered.");
  const problems = c.problems.length
    ? h("ul", { class: "problems", "aria-label": "Problems with the input" }, c.problems.map((p) => h("li", null, p)))
    : null;
  const trace = c.trace.length
    ? h("details", { class: "trace" },
      h("summary", null, `How the search sequence was applied (${c.trace.length} steps)`),
      h("ol", null, c.trace.map((step) => h("li", null, step))))
    : null;
  if (!gov) {
    return h("section", { class: "governs governs-none", "aria-labelledby": "gov-h", dataset: { outcome: c.outcome || "" } },
      h("h2", { id: "gov-h" }, `Nothing governs on ${c.asOf}`),
      h("p", { class: "why" }, whyWords(t, c)), dxLine, problems, trace);
  }
  const adoption = adoptionOn(gov.guidelineDocument.adoptions, c.asOf);
  return h("section", {
    class: "governs", "aria-labelledby": "gov-h",
    dataset: { document: gov.guidelineDocument.id, section: gov.guidelineSection.id, outcome: c.outcome || "" },
  },
  h("div", { class: "governs-head" },
    h("h2", { id: "gov-h" }, "Governs on ", h("time", { datetime: c.asOf }, c.asOf)),
    mtusBadge(gov.mtus, gov.guideline),
    h("span", { class: "guideline-label" }, gov.guideline),
    h("span", { class: "step" }, `Step ${gov.evidenceStep} of the search sequence`)),
  citationBox(gov.text, "governing"),
  h("p", { class: "why" }, whyWords(t, c)),
  adoption ? h("p", { class: "mtus-doc" }, h("span", { class: "muted" }, "MTUS document on this date "),
    h("strong", null, gov.guidelineDocument.label), ` — ${adoptionWords(adoption)}`) : null,
  dxLine, problems, trace);
}

function whyWords(t, c) {
  const gov = c.governing;
  if (!gov) {
    if (c.outcome === "NOT_ADDRESSED") {
      return `No guideline in force on ${c.asOf} addresses ${t.label}. Under the search sequence (8 CCR 9792.21.1) `
        + "the decision then rests on other evidence-based guidelines or peer-reviewed studies (step 3).";
    }
    return "The service could not be matched to one section; see the steps below.";
  }
  const where = `${gov.section}${gov.pages ? `, pp. ${gov.pages}` : ""} (${gov.document}${gov.edition ? ` ${gov.edition}` : ""})`;
  if (gov.mtus) {
    return `The MTUS is searched first (8 CCR 9792.21.1) and is presumed correct (Labor Code 4604.5). On ${c.asOf} `
      + `${where} is part of the MTUS as “${gov.guideline}” and addresses ${t.label}, so it governs. `
      + "The other columns are for comparison only.";
  }
  return `No part of the MTUS in force on ${c.asOf} addresses ${t.label}, so the search goes on to ACOEM or ODG `
    + `(step ${gov.evidenceStep}, 8 CCR 9792.21.1): ${where} governs.`;
}

function mtusIsAcoem(c) {
  const mtus = c.guidance.find((x) => x.source === "MTUS");
  return Boolean(mtus && mtus.citation && mtus.citation.guidelineDocument.family === "ACOEM");
}

function guidanceColumn(g, t, c) {
  const cit = g.citation;
  const headId = `col-${g.source.toLowerCase()}`;
  const head = h("header", { class: "col-head" },
    h("h3", { id: headId }, g.source),
    cit ? mtusBadge(cit.mtus, cit.guideline) : null,
    g.governs ? h("span", { class: "badge badge-governs" }, "Governs") : null);
  if (!cit) {
    return h("section", { class: "col col-empty", "aria-labelledby": headId, dataset: { source: g.source } }, head,
      h("p", { class: "silent" }, g.source === "MTUS" ? `No part of the MTUS in force on ${c.asOf} addresses ${t.label}.`
        : `No ${g.source} section${g.source === "ACOEM" && mtusIsAcoem(c) ? " beyond the MTUS column" : ""} `
          + `addresses ${t.label} on ${c.asOf}.`));
  }
  const documentWords = [cit.document, cit.edition, cit.chapter ? `Ch. ${cit.chapter}` : null].filter(Boolean).join(" · ");
  const facts = h("dl", { class: "facts" },
    h("dt", null, "Section"), h("dd", null, h("a", { href: href("section", cit.guidelineSection.id) }, cit.section)),
    h("dt", null, "Document"), h("dd", null, h("a", { href: href("document", cit.guidelineDocument.id) }, documentWords)),
    h("dt", null, cit.pages ? "Pages" : "Cited by"), h("dd", null, cit.pages ? `pp. ${cit.pages}` : "section name"),
    h("dt", null, "Label"), h("dd", null, cit.guideline, h("span", { class: "muted" }, ` · step ${cit.evidenceStep}`)),
    h("dt", null, "Says"), h("dd", null, recommendationBadge(g.recommendation)),
    cit.guidelineSection.evidenceGrade ? [h("dt", null, "Evidence"), h("dd", null, cit.guidelineSection.evidenceGrade)] : null);
  return h("section", {
    class: ["col", g.governs && "col-governs"], "aria-labelledby": headId,
    dataset: { source: g.source, section: cit.guidelineSection.id, document: cit.guidelineDocument.id },
  },
  head, facts,
  cit.guidelineSection.summary ? h("p", { class: "summary" }, cit.guidelineSection.summary) : null,
  criteriaList(g.criteria),
  citationBox(cit.text, g.source));
}

function criteriaList(results) {
  if (!results.length) return h("p", { class: "muted small" }, "No criteria recorded for this section.");
  return h("div", { class: "criteria" },
    h("h4", null, `Criteria (${results.length})`),
    h("ul", null, results.map((r) => {
      const c = r.criterion;
      const [statusLabel, statusClass] = STATUS[r.status] || [r.status, "st-open"];
      const numbers = criterionNumbers(c);
      return h("li", { class: "criterion" },
        h("span", { class: "ckind" }, c ? (CRITERION_KIND[c.kind] || c.kind) : "Rule"),
        h("span", { class: "ctext" }, r.text),
        numbers ? h("span", { class: "cnum" }, numbers) : null,
        r.status !== "INSUFFICIENT_INFORMATION" ? h("span", { class: ["status", statusClass] }, statusLabel) : null,
        r.status === "INSUFFICIENT_INFORMATION" && r.needs.length
          ? h("span", { class: "needs" }, "decided by ", r.needs.map(words).join(", ")) : null);
    })));
}

function citationBox(text, key) {
  const id = `cite-${key}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  const button = h("button", { type: "button", class: "copy", "aria-describedby": id }, "Copy citation");
  button.addEventListener("click", () => copyCitation(text, button));
  return h("div", { class: "citation" },
    h("p", { class: "cite-text", id }, text),
    button);
}

async function copyCitation(text, button) {
  let copied = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      copied = true;
    }
  } catch (err) {
    copied = false;
  }
  if (!copied) copied = legacyCopy(text);
  button.textContent = copied ? "Copied" : "Copy failed: select the text";
  button.classList.toggle("copied", copied);
  announce(copied ? "Citation copied" : "The citation could not be copied");
  window.clearTimeout(button.resetTimer);
  button.resetTimer = window.setTimeout(() => {
    button.textContent = "Copy citation";
    button.classList.remove("copied");
  }, 2500);
}

function legacyCopy(text) {
  const area = h("textarea", { class: "offscreen", readonly: true, "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch (err) {
    ok = false;
  }
  area.remove();
  return ok;
}

// ------------------------------------------------------------------ section

async function sectionView(route) {
  const data = await gql(Q.section, { id: route.id });
  const s = data.section;
  if (!s) return notFoundView(route, `No guideline section “${route.id}” in the graph.`);
  const d = s.document;
  const adoption = adoptionOn(d.adoptions, state.asOf);
  const facts = h("dl", { class: "facts facts-wide" },
    h("dt", null, "Document"), h("dd", null, h("a", { href: href("document", d.id) }, d.label)),
    h("dt", null, "Edition"), h("dd", null, [d.editionLabel, d.chapter ? `Ch. ${d.chapter}` : null, d.family]
      .filter(Boolean).join(" · ")),
    h("dt", null, "Letters cite it by"), h("dd", null, d.citeStyle === "PAGE" ? "pages" : "section name"),
    h("dt", null, "Pages"), h("dd", null, s.pages ? `pp. ${s.pages}` : "—"),
    s.number ? [h("dt", null, "Number"), h("dd", null, s.number)] : null,
    h("dt", null, "Recommends"), h("dd", null, recommendationBadge(s.recommendation)),
    s.evidenceGrade ? [h("dt", null, "Evidence grade"), h("dd", null, s.evidenceGrade)] : null,
    h("dt", null, "Body regions"), h("dd", null, s.bodyRegions.join(", ") || "—"),
    h("dt", null, "Phases of care"), h("dd", null, s.phases.map((p) => p.toLowerCase().replace(/_/g, "-")).join(", ") || "any"),
    s.parent ? [h("dt", null, "Part of"), h("dd", null, h("a", { href: href("section", s.parent.id) }, s.parent.title))] : null);
  return h("article", { class: "view view-section", dataset: { section: s.id } },
    h("header", { class: "view-head" },
      h("p", { class: "eyebrow" }, "Guideline section · ", d.letterTitle, d.editionLabel ? ` ${d.editionLabel}` : ""),
      h("h1", null, s.title),
      h("p", { class: "names" }, mtusBadge(Boolean(adoption), adoption && adoption.citationLabel), " ",
        adoption ? `Part of the MTUS on ${state.asOf} as “${adoption.citationLabel}”.`
          : `Not part of the MTUS on ${state.asOf}.`)),
    h("div", { class: "two-col" },
      h("div", null,
        h("section", { class: "panel", "aria-labelledby": "sec-facts-h" },
          h("h2", { id: "sec-facts-h", class: "section-title" }, "Where it is"), facts,
          s.summary ? h("p", { class: "summary" }, s.summary) : null),
        h("section", { class: "panel", "aria-labelledby": "sec-crit-h" },
          h("h2", { id: "sec-crit-h", class: "section-title" }, `Criteria (${s.criteria.length})`),
          s.criteria.length ? sectionCriteria(s.criteria) : h("p", { class: "muted" }, "No criteria recorded."))),
      h("div", null,
        h("section", { class: "panel", "aria-labelledby": "sec-adopt-h" },
          h("h2", { id: "sec-adopt-h", class: "section-title" }, "Effective dates (MTUS adoptions)"),
          adoptionTable(d.adoptions, `${d.label} has never been part of the MTUS.`)),
        h("section", { class: "panel", "aria-labelledby": "sec-addr-h" },
          h("h2", { id: "sec-addr-h", class: "section-title" }, "Addresses"),
          s.addresses.length ? h("ul", { class: "links" }, s.addresses.map((t) => h("li", null,
            h("a", { href: href("treatment", t.id) }, t.label), h("span", { class: "muted" }, ` · ${t.kind}`))))
            : h("p", { class: "muted" }, "No treatments recorded."),
          h("h3", { class: "sub" }, "Written for"),
          s.appliesTo.length ? h("ul", { class: "links" }, s.appliesTo.map((cond) => h("li", null,
            h("a", { href: href("condition", cond.id) }, cond.code || cond.id), " ", cond.label)))
            : h("p", { class: "muted" }, "Not limited to particular diagnoses.")),
        provenancePanel(s.sources, s.confidence, s.aliases, s.citedInLetters))),
    neighbourhoodPanel(data.neighbourhood, s.title));
}

function sectionCriteria(criteria) {
  return h("ul", { class: "criteria-list" }, criteria.map((c) => {
    const numbers = criterionNumbers(c);
    return h("li", { class: "criterion" },
      h("span", { class: "ckind" }, CRITERION_KIND[c.kind] || c.kind),
      h("span", { class: "ctext" }, c.text),
      numbers ? h("span", { class: "cnum" }, numbers) : null,
      c.requiresFact ? h("span", { class: "needs" }, "decided by ", words(c.requiresFact)) : null,
      c.members && c.members.length ? sectionCriteria(c.members) : null);
  }));
}

function adoptionTable(adoptions, none) {
  if (!adoptions.length) return h("p", { class: "muted" }, none);
  return h("table", { class: "table" },
    h("thead", null, h("tr", null, ["Label", "From", "Until (exclusive)", "Regulation"].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", null, adoptions.map((a) => {
      const current = a === adoptionOn(adoptions, state.asOf);
      return h("tr", { class: current ? "current" : null },
        h("td", null, a.citationLabel, current ? h("span", { class: "badge badge-now" }, `on ${state.asOf}`) : null),
        h("td", null, h("time", { datetime: a.effectiveFrom }, a.effectiveFrom)),
        h("td", null, a.effectiveUntil || "in force"),
        h("td", null, a.regulation, a.part ? ` (${a.part})` : ""));
    })));
}

function provenancePanel(sources, confidence, aliases, citedIn) {
  const mark = confidence
    ? h("span", null, h("span", { class: "badge badge-conf" }, confidence), " ", CONFIDENCE[confidence] || "")
    : h("span", null, h("span", { class: "badge badge-ok" }, "checked"), " against the source");
  return h("section", { class: "panel", "aria-labelledby": "prov-h" },
    h("h2", { id: "prov-h", class: "section-title" }, "Source and confidence"),
    h("p", null, h("span", { class: "muted" }, "Confidence "), mark),
    sources.length ? h("ul", { class: "sources" }, sources.map((src) => h("li", null,
      /^https?:\/\//.test(src) ? h("a", { href: src, rel: "noreferrer noopener" }, src) : src))) : null,
    aliases && aliases.length ? h("p", null, h("span", { class: "muted" }, "Also cited as "), aliases.join("; ")) : null,
    citedIn && citedIn.length ? h("p", null, h("span", { class: "muted" }, "Seen in letters "), citedIn.join(", ")) : null);
}

// ------------------------------------------------------------------ condition and document

async function conditionView(route) {
  const data = await gql(Q.condition, { code: route.id, id: route.id });
  const cond = data.condition;
  if (!cond) return notFoundView(route, `No diagnosis “${route.id}” in the graph.`);
  const code = cond.code || cond.id;
  const useButton = h("button", { type: "button", class: "button" }, `Use ${code} as the diagnosis`);
  useButton.addEventListener("click", () => {
    state.dx = code;
    $("#dx").value = code;
    history.replaceState(null, "", href("condition", cond.id));
    announce(`Diagnosis set to ${code}. Search a treatment to compare guidance for it.`);
    $("#search").focus();
  });
  const related = (label, list) => (list.length ? [h("dt", null, label), h("dd", null, list.map((x, i) => [i ? ", " : "",
    h("a", { href: href("condition", x.id) }, x.code || x.id), " ", h("span", { class: "muted" }, x.label)]))] : null);
  return h("article", { class: "view view-condition", dataset: { condition: cond.id } },
    h("header", { class: "view-head" },
      h("p", { class: "eyebrow" }, "Diagnosis · ICD-10-CM"),
      h("h1", null, cond.code ? `${cond.code} ${cond.label}` : cond.label),
      h("p", { class: "names" }, useButton)),
    h("div", { class: "two-col" },
      h("section", { class: "panel", "aria-labelledby": "cond-facts-h" },
        h("h2", { id: "cond-facts-h", class: "section-title" }, "The code"),
        h("dl", { class: "facts facts-wide" },
          h("dt", null, "Valid"), h("dd", null, `${cond.validFrom || "—"} – ${cond.validUntil ? `before ${cond.validUntil}` : "today"}`),
          cond.icd9Codes.length ? [h("dt", null, "ICD-9"), h("dd", null, cond.icd9Codes.join(", "))] : null,
          h("dt", null, "Body regions"), h("dd", null, cond.bodyRegions.join(", ") || "—"),
          related("Broader", cond.broader), related("Narrower", cond.narrower), related("Replaced by", cond.replacedBy),
          cond.aliases.length ? [h("dt", null, "Also"), h("dd", null, cond.aliases.join("; "))] : null)),
      provenancePanel(cond.sources, cond.confidence, [], [])),
    h("section", { class: "panel", "aria-labelledby": "cond-sec-h" },
      h("h2", { id: "cond-sec-h", class: "section-title" }, `Sections written for it (${cond.sections.length})`),
      cond.sections.length ? sectionTable(cond.sections, true) : h("p", { class: "muted" }, "None recorded.")),
    neighbourhoodPanel(data.neighbourhood, code));
}

function sectionTable(sections, withDocument) {
  return h("table", { class: "table" },
    h("thead", null, h("tr", null, ["Section", withDocument ? "Document" : null, "Pages", "Says"]
      .filter(Boolean).map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", null, sections.map((s) => h("tr", null,
      h("td", null, h("a", { href: href("section", s.id) }, s.title)),
      withDocument ? h("td", null, h("a", { href: href("document", s.document.id) }, s.document.label)) : null,
      h("td", null, s.pages || "—"),
      h("td", null, recommendationBadge(s.recommendation))))));
}

async function documentView(route) {
  const data = await gql(Q.document, { id: route.id });
  const d = data.documents.find((x) => x.id === route.id);
  if (!d) return notFoundView(route, `No guideline document “${route.id}” in the graph.`);
  const adoption = adoptionOn(d.adoptions, state.asOf);
  const sections = data.sections.edges.map((e) => e.node);
  return h("article", { class: "view view-document", dataset: { document: d.id } },
    h("header", { class: "view-head" },
      h("p", { class: "eyebrow" }, "Guideline document · ", d.family),
      h("h1", null, d.label),
      h("p", { class: "names" }, mtusBadge(Boolean(adoption), adoption && adoption.citationLabel), " ",
        adoption ? `Part of the MTUS on ${state.asOf} as “${adoption.citationLabel}”.` : `Not part of the MTUS on ${state.asOf}.`)),
    h("div", { class: "two-col" },
      h("section", { class: "panel", "aria-labelledby": "doc-facts-h" },
        h("h2", { id: "doc-facts-h", class: "section-title" }, "The document"),
        h("dl", { class: "facts facts-wide" },
          h("dt", null, "Letters print"), h("dd", null, d.letterTitle),
          h("dt", null, "Edition"), h("dd", null, [d.editionLabel, d.chapter ? `Ch. ${d.chapter}` : null].filter(Boolean).join(" · ") || "—"),
          d.publicationDate ? [h("dt", null, "Published"), h("dd", null, d.publicationDate)] : null,
          h("dt", null, "Cited by"), h("dd", null, d.citeStyle === "PAGE" ? "pages" : "section name"),
          d.pages ? [h("dt", null, "Pages"), h("dd", null, d.pages)] : null,
          h("dt", null, "Outside the MTUS"), h("dd", null, `“${d.citationLabel}”`),
          h("dt", null, "Body regions"), h("dd", null, d.bodyRegions.join(", ") || "—"),
          d.supersededBy ? [h("dt", null, "Superseded by"), h("dd", null, h("a", { href: href("document", d.supersededBy.id) }, d.supersededBy.label))] : null),
        h("h3", { class: "sub" }, "Effective dates (MTUS adoptions)"),
        adoptionTable(d.adoptions, "Never part of the MTUS.")),
      h("section", { class: "panel", "aria-labelledby": "doc-sec-h" },
        h("h2", { id: "doc-sec-h", class: "section-title" }, `Sections (${data.sections.totalCount})`),
        sections.length ? sectionTable(sections, false) : h("p", { class: "muted" }, "None recorded."),
        data.sections.totalCount > sections.length ? h("p", { class: "muted" }, `The first ${sections.length} are listed.`) : null)),
    provenancePanel(d.sources, d.confidence, d.aliases, []));
}

// ------------------------------------------------------------------ the neighbourhood picture

function neighbourhoodPanel(n, name) {
  if (!n || !n.nodes.length) return null;
  return h("section", { class: "panel graph-panel", "aria-labelledby": "graph-h" },
    h("h2", { id: "graph-h", class: "section-title" }, "Neighbourhood in the graph"),
    h("p", { class: "muted small" }, "Sections link the services they address to their documents and the diagnoses they are "
      + "written for. Select a node to open it.", n.truncated ? " Some nodes were left out to keep the picture small." : ""),
    h("div", { class: "graph-scroll" }, drawNeighbourhood(n, name)));
}

function drawNeighbourhood(n, name) {
  const ROW = 26, BOX_H = 20, GAP = 100, PAD = 36, HEAD = 28;
  const WIDTHS = [250, 270, 390];  // diagnoses and treatments, sections, documents
  const byId = new Map(n.nodes.map((node, i) => [node.id, { ...node, order: i }]));
  const links = (id) => n.edges.filter((e) => e.source === id || e.target === id)
    .map((e) => (e.source === id ? e.target : e.source));
  const of = (kind) => n.nodes.filter((x) => x.kind === kind).map((x) => byId.get(x.id));
  const center = byId.get(n.center);

  // Sections grouped by document, documents in the order their sections come, the rest by their links.
  const docOrder = new Map();
  for (const sec of of("SECTION")) {
    const doc = links(sec.id).find((id) => byId.get(id) && byId.get(id).kind === "DOCUMENT");
    if (doc && !docOrder.has(doc)) docOrder.set(doc, docOrder.size);
    sec.doc = doc ? docOrder.get(doc) : 1e6;
  }
  const sections = of("SECTION").sort((a, b) => (b.id === n.center) - (a.id === n.center) || a.doc - b.doc || a.order - b.order);
  const sectionRank = new Map(sections.map((s, i) => [s.id, i]));
  const documents = of("DOCUMENT").sort((a, b) => (docOrder.get(a.id) ?? 1e6) - (docOrder.get(b.id) ?? 1e6) || a.order - b.order);
  const mean = (node) => {
    const ranks = links(node.id).filter((id) => sectionRank.has(id)).map((id) => sectionRank.get(id));
    return ranks.length ? ranks.reduce((x, y) => x + y, 0) / ranks.length : 1e6;
  };
  const first = (a, b) => (b.id === n.center) - (a.id === n.center);
  const treatments = of("TREATMENT").sort((a, b) => first(a, b) || a.order - b.order);
  const conditions = of("CONDITION").sort((a, b) => first(a, b) || mean(a) - mean(b) || a.order - b.order);

  const leftGroups = center.kind === "CONDITION"
    ? [["Diagnoses", conditions], ["Treatments", treatments]] : [["Treatments", treatments], ["Diagnoses", conditions]];
  const columns = [
    { x: PAD, w: WIDTHS[0], groups: leftGroups.filter(([, list]) => list.length) },
    { x: PAD + WIDTHS[0] + GAP, w: WIDTHS[1], groups: [["Sections", sections]] },
    { x: PAD + WIDTHS[0] + WIDTHS[1] + 2 * GAP, w: WIDTHS[2], groups: [["Documents", documents]] },
  ];
  const heightOf = (col) => col.groups.reduce((sum, [, list]) => sum + HEAD + list.length * ROW, 0);
  const height = Math.max(...columns.map(heightOf)) + 16;
  const width = PAD + WIDTHS[0] + WIDTHS[1] + WIDTHS[2] + 2 * GAP + 16;
  const pos = new Map();
  const heads = [];
  for (const col of columns) {
    let y = Math.round((height - heightOf(col)) / 2);
    for (const [label, list] of col.groups) {
      if (!list.length) continue;
      heads.push(svg("text", { x: col.x, y: y + 16, class: "g-head" }, `${label} (${list.length})`));
      y += HEAD;
      for (const node of list) {
        pos.set(node.id, { x: col.x, w: col.w, y, node });
        y += ROW;
      }
    }
  }

  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, class: "graph", role: "group",
    "aria-label": `Graph neighbourhood of ${name}: ${n.nodes.length} nodes, ${n.edges.length} links`,
  });
  const edges = svg("g", { class: "g-edges", "aria-hidden": "true" });
  for (const e of n.edges) {
    const a = pos.get(e.source), b = pos.get(e.target);
    if (!a || !b) continue;
    const [l, r] = a.x <= b.x ? [a, b] : [b, a];
    const y1 = l.y + BOX_H / 2, y2 = r.y + BOX_H / 2;
    let d;
    if (l.x === r.x) {
      const bulge = Math.min(PAD - 4, 10 + Math.abs(y2 - y1) / 6);
      d = `M ${l.x} ${y1} C ${l.x - bulge} ${y1}, ${l.x - bulge} ${y2}, ${l.x} ${y2}`;
    } else {
      const x1 = l.x + l.w, x2 = r.x, mid = (x1 + x2) / 2;
      d = `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
    }
    edges.append(svg("path", { d, class: `g-edge g-${e.relation.toLowerCase()}`, dataset: { a: e.source, b: e.target } }));
  }
  const nodes = svg("g", { class: "g-nodes" });
  for (const { x, w, y, node } of pos.values()) {
    const fits = Math.floor((w - 14) / 6.6);
    const label = node.label.length > fits ? `${node.label.slice(0, fits - 1)}…` : node.label;
    const link = svg("a", {
      href: href(KIND_PATH[node.kind], node.id), class: ["g-node", `g-${node.kind.toLowerCase()}`, node.id === n.center && "g-center"],
      dataset: { id: node.id },
    },
    svg("title", null, `${node.label} (${node.kind.toLowerCase()})`),
    svg("rect", { x, y, width: w, height: BOX_H, rx: 4, ry: 4 }),
    svg("text", { x: x + 8, y: y + 14 }, label));
    const highlight = (on) => {
      for (const path of edges.querySelectorAll("path")) {
        if (path.dataset.a === node.id || path.dataset.b === node.id) path.classList.toggle("g-hl", on);
      }
    };
    link.addEventListener("mouseenter", () => highlight(true));
    link.addEventListener("mouseleave", () => highlight(false));
    link.addEventListener("focus", () => highlight(true));
    link.addEventListener("blur", () => highlight(false));
    nodes.append(link);
  }
  root.append(svg("title", null, `Neighbourhood of ${name}`), ...heads, edges, nodes);
  return root;
}

// ------------------------------------------------------------------ letters

let letterPage = null;

function letterView() {
  if (letterPage) return letterPage;
  const text = h("textarea", {
    id: "letter-text", name: "letter", rows: 14, spellcheck: "false", required: true,
    "aria-describedby": "letter-privacy", placeholder: "Paste the text of an IMR Final Determination letter here",
  });
  const date = h("input", { type: "date", id: "letter-date", name: "date", "aria-describedby": "letter-date-hint" });
  const results = h("div", { class: "letter-results", id: "letter-results", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "button button-primary" }, "Read and audit");
  const clear = h("button", { type: "button", class: "button" }, "Clear");
  const form = h("form", { class: "letter-form", "aria-labelledby": "letter-title" },
    h("div", { class: "field" },
      h("label", { for: "letter-text" }, "Determination letter text"),
      text,
      h("p", { id: "letter-privacy", class: "hint" }, "Read and audited by this server only: the text is not stored, "
        + "not logged and not put in the address.")),
    h("div", { class: "letter-actions" },
      h("div", { class: "field field-date" },
        h("label", { for: "letter-date" }, "Audit as of ", h("span", { class: "optional" }, "(optional)")),
        date,
        h("p", { id: "letter-date-hint", class: "hint" }, "Default: the letter's UR denial date")),
      submit, clear));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      results.replaceChildren(h("p", { class: "panel panel-error", role: "alert" }, "Paste a letter first."));
      return;
    }
    submit.disabled = true;
    results.dataset.state = "loading";
    results.replaceChildren(h("p", { class: "muted" }, "Reading…"));
    try {
      const data = await gql(Q.audit, { text: text.value, date: isIsoDate(date.value) ? date.value : null });
      results.replaceChildren(letterResults(data.auditLetter, isIsoDate(date.value)));
      results.dataset.state = "ready";
      results.focus();
    } catch (err) {
      results.replaceChildren(errorPanel(err));
      results.dataset.state = "error";
    } finally {
      submit.disabled = false;
    }
  });
  clear.addEventListener("click", () => {
    text.value = "";
    date.value = "";
    results.replaceChildren();
    delete results.dataset.state;
    text.focus();
  });
  letterPage = h("article", { class: "view view-letter" },
    h("header", { class: "view-head" },
      h("p", { class: "eyebrow" }, "Determination letter"),
      h("h1", { id: "letter-title" }, "Read a determination letter"),
      h("p", { class: "names" }, "See its items, decisions and citations, and what the audit finds against the graph.")),
    form, results);
  return letterPage;
}

function letterResults(answer, dateGiven) {
  if (answer.__typename === "UnreadableLetter") {
    return h("div", { class: "panel panel-error", role: "alert", dataset: { kind: answer.kind } },
      h("h2", null, "This text could not be read as a letter"),
      h("p", null, answer.message, h("span", { class: "muted" }, ` (${answer.kind})`)));
  }
  const r = answer.reading;
  const findings = answer.findings;
  const errors = findings.filter((f) => f.severity === "error").length;
  const letterLevel = findings.filter((f) => f.item === 0);
  const dates = r.letterDates;
  const header = h("dl", { class: "facts facts-wide" },
    r.dwcCaseNumber ? [h("dt", null, "Case"), h("dd", null, r.dwcCaseNumber)] : null,
    dates ? [h("dt", null, "Dates"), h("dd", null, [
      dates.urDenialDate && `UR denial ${dates.urDenialDate}`, dates.dateAssigned && `assigned ${dates.dateAssigned}`,
      dates.decisionDate && `decided ${dates.decisionDate}`].filter(Boolean).join(" · ") || "—")] : null,
    h("dt", null, "Injured worker"), h("dd", null, [r.case.age !== null ? `${r.case.age} years` : null, r.case.sex,
      r.case.dateOfInjury ? `injured ${r.case.dateOfInjury}` : null].filter(Boolean).join(" · ") || "—"),
    h("dt", null, "Diagnoses"), h("dd", null, r.case.diagnoses.join("; ") || "—"),
    h("dt", null, "Audited as of"), h("dd", null, h("time", { datetime: answer.auditedOn }, answer.auditedOn),
      h("span", { class: "muted" }, dateGiven ? " (the date you set)"
        : dates ? " (from the letter's header)" : " (no header dates: not before the injury nor the start of IMR)")));
  return h("div", { class: "letter-reading" },
    h("section", { class: "panel", "aria-labelledby": "letter-sum-h" },
      h("h2", { id: "letter-sum-h", class: "section-title" },
        `${r.items.length} item${r.items.length === 1 ? "" : "s"} · `,
        findings.length ? `${findings.length} finding${findings.length === 1 ? "" : "s"} (${errors} error${errors === 1 ? "" : "s"})`
          : "no findings"),
      header,
      letterLevel.length ? findingList(letterLevel) : null),
    h("ol", { class: "items" }, r.items.map((item, i) => letterItem(item, i + 1, findings.filter((f) => f.item === i + 1)))));
}

function letterItem(item, number, findings) {
  const lookup = h("button", { type: "button", class: "button button-small" }, "Look up this service");
  lookup.addEventListener("click", () => {
    const input = $("#search");
    input.value = item.service.replace(/\s+/g, " ").slice(0, 80);
    input.focus();
    runSearch(input.value);
  });
  const quantity = item.quantity !== null ? `${num(item.quantity)}${item.quantityUnit ? ` ${item.quantityUnit}` : ""}` : null;
  const pc = item.partialCertification;
  return h("li", { class: "item", dataset: { decision: item.decision } },
    h("header", { class: "item-head" },
      h("h3", null, h("span", { class: "item-no" }, `${number}.`), " ", item.service),
      h("span", { class: ["decision", item.medicallyNecessary ? "dec-over" : "dec-up"] },
        item.decision, h("span", { class: "dec-note" }, item.medicallyNecessary ? " · medically necessary" : " · not medically necessary"))),
    h("p", { class: "item-meta" }, quantity ? [h("span", { class: "muted" }, "Quantity "), quantity, " "] : null, lookup),
    pc ? h("p", { class: "partial" }, h("span", { class: "muted" }, "Partly authorized: "),
      `requested ${pc.originalRequest}; authorized ${pc.authorizedByClaimsAdministrator}; IMR decided ${pc.imrEligiblePortion}.`) : null,
    findings.length ? findingList(findings) : h("p", { class: "ok-line" }, "No findings for this item."),
    h("div", { class: "cites" },
      citeList("Reviewer (IMR) based the decision on", item.reviewerCitations),
      citeList("Claims administrator (UR) based its decision on", item.claimsAdministratorCitations)),
    item.rationaleText ? h("details", { class: "rationale" }, h("summary", null, "Decision rationale"),
      h("p", null, item.rationaleText)) : null);
}

function citeList(title, citations) {
  return h("div", { class: "cite-group" },
    h("h4", null, title),
    citations.length ? h("ul", null, citations.map((c) => h("li", null,
      mtusBadge(c.mtus, c.guideline), " ", c.guideline ? h("span", { class: "guideline-label" }, c.guideline) : null,
      " ", h("span", { class: "cite-inline" }, c.text))))
      : h("p", { class: "muted" }, "None printed."));
}

function findingList(findings) {
  return h("ul", { class: "findings", "aria-label": "Audit findings" }, findings.map((f) => h("li", {
    class: ["finding", `sev-${f.severity}`], dataset: { kind: f.kind },
  },
  h("span", { class: ["badge", f.severity === "error" ? "badge-error" : "badge-warning"] }, f.severity),
  h("strong", null, FINDING_KIND[f.kind] || words(f.kind)), " ",
  h("span", null, f.message),
  f.evidence ? h("q", { class: "evidence" }, f.evidence) : null)));
}

// ------------------------------------------------------------------ search as you type (ARIA combobox)

const combo = { seq: 0, timer: 0, options: [], active: -1 };

function setupSearch() {
  const input = $("#search");
  const list = $("#search-results");
  input.addEventListener("input", () => {
    window.clearTimeout(combo.timer);
    combo.timer = window.setTimeout(() => runSearch(input.value), 140);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden && input.value.trim()) {
        runSearch(input.value).then(() => move(event.key === "ArrowDown" ? 0 : combo.options.length - 1, true));
        return;
      }
      move(event.key === "ArrowDown" ? combo.active + 1 : combo.active - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const chosen = combo.options[combo.active >= 0 ? combo.active : 0];
      if (!list.hidden && chosen) choose(chosen);
      else if (input.value.trim()) runSearch(input.value, { openFirst: true });
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        closeList();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
      }
    } else if (event.key === "Tab") {
      closeList();
    }
  });
  input.addEventListener("focus", () => {
    if (input.value.trim() && combo.options.length) openList();
  });
  input.addEventListener("blur", () => window.setTimeout(() => {
    if (!list.contains(document.activeElement)) closeList();
  }, 120));
  list.addEventListener("mousedown", (event) => event.preventDefault());  // keep the focus in the box
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option && option.getAttribute("aria-disabled") !== "true") {
      choose(combo.options[Number(option.dataset.index)]);
    }
  });
}

async function runSearch(value, { openFirst = false } = {}) {
  const query = value.trim();
  const seq = ++combo.seq;
  if (!query) {
    combo.options = [];
    closeList();
    return;
  }
  let data;
  try {
    data = await gql(Q.search, { q: query });
  } catch (err) {
    if (seq === combo.seq) showOptions(query, null, err);
    return;
  }
  if (seq !== combo.seq) return;  // a newer search has started: drop this answer
  showOptions(query, data);
  if (openFirst && combo.options.length) choose(combo.options[0]);
}

function matchedName(node, query) {
  const q = query.toLowerCase();
  if (node.label.toLowerCase().includes(q)) return null;
  return [...(node.brandNames || []), ...(node.aliases || [])].find((n) => n.toLowerCase().includes(q)) || null;
}

function showOptions(query, data, err) {
  const list = $("#search-results");
  combo.options = [];
  combo.active = -1;
  const groups = [];
  if (data) {
    const treatments = data.treatments.edges.map((e) => e.node);
    const conditions = data.conditions.edges.map((e) => e.node);
    const sections = data.sections.edges.map((e) => e.node);
    if (treatments.length) {
      groups.push(["Treatments", data.treatments.totalCount, treatments.map((t) => {
        const matched = matchedName(t, query);
        return { view: "treatment", id: t.id, label: t.label,
          detail: [matched ? `matches “${matched}”` : null, t.kind].filter(Boolean).join(" · ") };
      })]);
    }
    if (conditions.length) {
      groups.push(["Diagnoses", data.conditions.totalCount, conditions.map((c) => (
        { view: "condition", id: c.id, label: `${c.code || ""} ${c.label}`.trim(), detail: "ICD-10-CM" }))]);
    }
    if (sections.length) {
      groups.push(["Guideline sections", data.sections.totalCount, sections.map((s) => (
        { view: "section", id: s.id, label: s.title, detail: `${s.document.label}${s.pages ? `, pp. ${s.pages}` : ""}` }))]);
    }
  }
  const children = [];
  groups.forEach(([title, total, options], g) => {
    const headId = `search-group-${g}`;
    children.push(h("div", { role: "group", "aria-labelledby": headId, class: "opt-group" },
      h("div", { id: headId, class: "opt-group-head", role: "presentation" }, title,
        total > options.length ? h("span", { class: "muted" }, ` · ${options.length} of ${total}`) : null),
      options.map((option) => {
        const index = combo.options.push(option) - 1;
        return h("div", {
          role: "option", id: `search-option-${index}`, class: "option", "aria-selected": "false",
          dataset: { index, view: option.view, id: option.id },
        }, h("span", { class: "opt-label" }, option.label), h("span", { class: "opt-detail" }, option.detail));
      })));
  });
  if (!combo.options.length) {
    children.push(h("div", { role: "option", class: "option option-empty", "aria-disabled": "true", "aria-selected": "false" },
      err ? "Search failed: the server did not answer." : `Nothing matches “${query}”.`));
  }
  list.replaceChildren(...children);
  openList();
  $("#search-status").textContent = combo.options.length
    ? `${combo.options.length} results. Use the arrow keys to choose and Enter to open.` : `No results for ${query}.`;
}

function openList() {
  $("#search-results").hidden = false;
  $("#search").setAttribute("aria-expanded", "true");
}

function closeList() {
  $("#search-results").hidden = true;
  $("#search").setAttribute("aria-expanded", "false");
  $("#search").removeAttribute("aria-activedescendant");
  combo.active = -1;
}

function move(index, open = false) {
  if (!combo.options.length) return;
  if (open) openList();
  const count = combo.options.length;
  combo.active = ((index % count) + count) % count;
  for (const el of document.querySelectorAll("#search-results [role=option]")) {
    const on = Number(el.dataset.index) === combo.active;
    el.setAttribute("aria-selected", on ? "true" : "false");
    el.classList.toggle("active", on);
    if (on) {
      $("#search").setAttribute("aria-activedescendant", el.id);
      el.scrollIntoView({ block: "nearest" });
    }
  }
}

function choose(option) {
  closeList();
  $("#search").value = option.label;
  announce(`Opening ${option.label}`);
  location.hash = href(option.view, option.id);
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
    const { graphInfo } = await gql(Q.graphInfo);
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
