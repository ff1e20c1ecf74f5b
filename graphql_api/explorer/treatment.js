// A treatment's page: the guideline that governs it on the date, and MTUS, ACOEM and ODG side by
// side with their criteria and citations to copy.

import { href, state } from "./address.js";
import { gql } from "./api.js";
import {
  CRITERION_FIELDS, CRITERION_KIND, adoptionOn, criterionNumbers, mtusBadge, notFoundView, recommendationBadge, words,
} from "./common.js";
import { announce, h } from "./dom.js";
import { NEIGHBOURHOOD, neighbourhoodPanel } from "./picture.js";

const CITATION_FIELDS = `guideline mtus document edition chapter section pages text evidenceStep recommendation confidence source
  guidelineSection { id title summary evidenceGrade }
  guidelineDocument { id label family adoptions { citationLabel regulation effectiveFrom effectiveUntil } }`;
const TREATMENT = `query Treatment($id: ID!, $asOf: Date!, $dx: String, $dxCode: String!, $hasDx: Boolean!) {
  treatment(id: $id) { id label kind aliases brandNames route broader { id label } }
  diagnosis: condition(code: $dxCode) @include(if: $hasDx) { id code label }
  compare(treatment: $id, asOf: $asOf, condition: $dx) {
    asOf condition outcome trace problems
    governing { ${CITATION_FIELDS} }
    guidance { source governs recommendation
      citation { ${CITATION_FIELDS} }
      criteria { id text status needs criterion { ${CRITERION_FIELDS} } } } }
  ${NEIGHBOURHOOD} }`;

const STATUS = {
  MET: ["Met", "st-met"], NOT_MET: ["Not met", "st-not-met"], INSUFFICIENT_INFORMATION: ["Open", "st-open"],
};

function adoptionWords(a) {
  const until = a.effectiveUntil ? `, replaced on ${a.effectiveUntil}` : ", still in force";
  return `${a.citationLabel} from ${a.effectiveFrom}${until} (${a.regulation})`;
}

export async function treatmentView(route) {
  const dx = state.dx.trim();
  const data = await gql(TREATMENT, {
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
  // issue 14: whoever copies the citation sees how sure it is
  h("p", { class: "confidence", dataset: { confidence: gov.confidence } },
    h("span", { class: "muted" }, "How sure "), h("strong", null, gov.confidence),
    gov.source ? ` — source: ${gov.source}` : ""),
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
