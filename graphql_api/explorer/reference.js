// The reference pages: a guideline section, a diagnosis and a guideline document.

import { href, state } from "./address.js";
import { gql } from "./api.js";
import {
  CRITERION_FIELDS, CRITERION_KIND, adoptionOn, confidenceWords, criterionNumbers, factWords, kindWords, mtusBadge,
  notFoundView, recommendationBadge, regionWords,
} from "./common.js";
import { $, announce, h } from "./dom.js";
import { NEIGHBOURHOOD, neighbourhoodPanel } from "./picture.js";

const SECTION = `query Section($id: ID!) {
  section(id: $id) { id title aliases number pages pageStart pageEnd bodyRegions phases recommendation
    evidenceGrade summary sources confidence citedInLetters
    document { id label letterTitle family editionLabel year chapter citeStyle pages
      adoptions { citationLabel regulation part effectiveFrom effectiveUntil } }
    parent { id title }
    addresses { id label kind }
    appliesTo { id code label }
    criteria { id ${CRITERION_FIELDS} requiresFact members { id ${CRITERION_FIELDS} } } }
  ${NEIGHBOURHOOD} }`;
const CONDITION = `query Condition($code: String!, $id: ID!) {
  condition(code: $code) { id code label aliases icd9Codes bodyRegions validFrom validUntil sources confidence
    broader { id code label } narrower { id code label } replacedBy { id code label }
    sections { id title pages recommendation document { id label } } }
  ${NEIGHBOURHOOD} }`;
const DOCUMENT = `query Document($id: ID!) {
  documents { id label letterTitle aliases family citationLabel editionLabel year publicationDate chapter
    citeStyle pages bodyRegions sources confidence
    adoptions { citationLabel regulation part effectiveFrom effectiveUntil } supersededBy { id label } }
  sections(filter: { document: $id }, first: 100) { totalCount
    edges { node { id title pages recommendation } } } }`;


export async function sectionView(route) {
  const data = await gql(SECTION, { id: route.id });
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
    h("dt", null, "Body regions"), h("dd", null, s.bodyRegions.map(regionWords).join(", ") || "—"),
    h("dt", null, "Phases of care"), h("dd", null, s.phases.map((p) => p.toLowerCase().replace(/_/g, "-")).join(", ") || "any"),
    s.parent ? [h("dt", null, "Part of"), h("dd", null, h("a", { href: href("section", s.parent.id) }, s.parent.title))] : null);
  return h("article", { class: "view view-section", dataset: { section: s.id } },
    h("header", { class: "view-head" },
      h("p", { class: "eyebrow" }, "Guideline section · ", d.letterTitle, d.editionLabel ? ` ${d.editionLabel}` : ""),
      h("h1", null, s.title),
      h("p", { class: "names" }, mtusBadge(Boolean(adoption), adoption && adoption.citationLabel), " ",
        adoption ? `Part of the MTUS on ${state.asOf}; letters label it “${adoption.citationLabel}”.`
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
            h("a", { href: href("treatment", t.id) }, t.label), h("span", { class: "muted" }, ` · ${kindWords(t.kind).toLowerCase()}`))))
            : h("p", { class: "muted" }, "No treatments recorded."),
          h("h3", { class: "sub" }, "Written for"),
          s.appliesTo.length ? h("ul", { class: "links" }, s.appliesTo.map((cond) => h("li", null,
            h("a", { href: href("condition", cond.id) }, cond.code || cond.id), " ", cond.label)))
            : h("p", { class: "muted" }, "Not limited to particular diagnoses.")),
        provenancePanel(s.sources, s.confidence, s.aliases, s.citedInLetters))),
    neighbourhoodPanel(data, s.title));
}

function sectionCriteria(criteria) {
  return h("ul", { class: "criteria-list" }, criteria.map((c) => {
    const numbers = criterionNumbers(c);
    return h("li", { class: "criterion" },
      h("span", { class: "ckind" }, CRITERION_KIND[c.kind] || c.kind),
      h("span", { class: "ctext" }, c.text),
      numbers ? h("span", { class: "cnum" }, numbers) : null,
      c.requiresFact ? h("span", { class: "needs" }, "depends on ", factWords(c.requiresFact)) : null,
      c.members && c.members.length ? sectionCriteria(c.members) : null);
  }));
}

function adoptionTable(adoptions, none) {
  if (!adoptions.length) return h("p", { class: "muted" }, none);
  return h("table", { class: "table" },
    h("thead", null, h("tr", null, ["Letters label it", "From", "Until (not including)", "Regulation"].map((x) => h("th", { scope: "col" }, x)))),
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
    ? h("span", null, h("span", { class: "badge badge-conf" }, confidence), " ", confidenceWords(confidence))
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

export async function conditionView(route) {
  const data = await gql(CONDITION, { code: route.id, id: route.id });
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
          h("dt", null, "Body regions"), h("dd", null, cond.bodyRegions.map(regionWords).join(", ") || "—"),
          related("Broader", cond.broader), related("Narrower", cond.narrower), related("Replaced by", cond.replacedBy),
          cond.aliases.length ? [h("dt", null, "Also"), h("dd", null, cond.aliases.join("; "))] : null)),
      provenancePanel(cond.sources, cond.confidence, [], [])),
    h("section", { class: "panel", "aria-labelledby": "cond-sec-h" },
      h("h2", { id: "cond-sec-h", class: "section-title" }, `Sections written for it (${cond.sections.length})`),
      cond.sections.length ? sectionTable(cond.sections, true) : h("p", { class: "muted" }, "None recorded.")),
    neighbourhoodPanel(data, code));
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

export async function documentView(route) {
  const data = await gql(DOCUMENT, { id: route.id });
  const d = data.documents.find((x) => x.id === route.id);
  if (!d) return notFoundView(route, `No guideline document “${route.id}” in the graph.`);
  const adoption = adoptionOn(d.adoptions, state.asOf);
  const sections = data.sections.edges.map((e) => e.node);
  return h("article", { class: "view view-document", dataset: { document: d.id } },
    h("header", { class: "view-head" },
      h("p", { class: "eyebrow" }, "Guideline document · ", d.family),
      h("h1", null, d.label),
      h("p", { class: "names" }, mtusBadge(Boolean(adoption), adoption && adoption.citationLabel), " ",
        adoption ? `Part of the MTUS on ${state.asOf}; letters label it “${adoption.citationLabel}”.` : `Not part of the MTUS on ${state.asOf}.`)),
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
          h("dt", null, "Body regions"), h("dd", null, d.bodyRegions.map(regionWords).join(", ") || "—"),
          d.supersededBy ? [h("dt", null, "Superseded by"), h("dd", null, h("a", { href: href("document", d.supersededBy.id) }, d.supersededBy.label))] : null),
        h("h3", { class: "sub" }, "Effective dates (MTUS adoptions)"),
        adoptionTable(d.adoptions, "Never part of the MTUS.")),
      h("section", { class: "panel", "aria-labelledby": "doc-sec-h" },
        h("h2", { id: "doc-sec-h", class: "section-title" }, `Sections (${data.sections.totalCount})`),
        sections.length ? sectionTable(sections, false) : h("p", { class: "muted" }, "None recorded."),
        data.sections.totalCount > sections.length ? h("p", { class: "muted" }, `The first ${sections.length} are listed.`) : null)),
    provenancePanel(d.sources, d.confidence, d.aliases, []));
}
