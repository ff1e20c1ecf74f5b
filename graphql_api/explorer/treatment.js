// A treatment's page: the guideline that governs it on the date, and MTUS, ACOEM and ODG side by
// side with their criteria and citations to copy.

import { href, state } from "./address.js";
import { gql } from "./api.js";
import {
  CRITERION_FIELDS, CRITERION_KIND, adoptionOn, confidenceWords, criterionNumbers, factWords, guidelineWords,
  kindWords, mtusBadge, notFoundView, plainTrace, recommendationBadge, regionWords, stepWords,
} from "./common.js";
import { announce, h } from "./dom.js";
import { NEIGHBOURHOOD, neighbourhoodPanel } from "./picture.js";
import { drugListPanel } from "./druglist.js";

const CITATION_FIELDS = `guideline mtus document edition chapter section pages text evidenceStep recommendation confidence source
  guidelineSection { id title summary evidenceGrade confidence sources bodyRegions }
  guidelineDocument { id label family bodyRegions adoptions { citationLabel regulation effectiveFrom effectiveUntil } }`;
const TREATMENT = `query Treatment($id: ID!, $asOf: Date!, $dx: String, $dxCode: String!, $hasDx: Boolean!) {
  treatment(id: $id) { id label kind aliases brandNames route broader { id label } }
  diagnosis: condition(code: $dxCode) @include(if: $hasDx) { id code label bodyRegions }
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
  return `part of the MTUS from ${a.effectiveFrom}${until} (${a.regulation})`;
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
      h("p", { class: "eyebrow" }, "Treatment · ", kindWords(t.kind), t.route ? ` · ${t.route.toLowerCase()}` : ""),
      h("h1", null, t.label),
      names.length ? h("p", { class: "names" }, names.map((n, i) => [i ? h("span", { class: "sep" }, " · ") : "", n])) : null),
    governingPanel(t, c, data.diagnosis),
    drugListPanel(t),
    h("section", { class: "compare", "aria-labelledby": "compare-h" },
      h("h2", { id: "compare-h", class: "section-title" }, "MTUS, ACOEM and ODG side by side"),
      h("div", { class: "columns" }, c.guidance.map((g) => guidanceColumn(g, t, c)))),
    neighbourhoodPanel(data, t.label));
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
      h("ol", null, c.trace.map((step) => h("li", null, plainTrace(step)))))
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
    h("span", { class: "guideline-label" }, guidelineWords(gov.guideline)),
    h("span", { class: "step" }, `Search sequence ${stepWords(gov.evidenceStep)}`)),
  citationBox(gov, "governing"),
  h("p", { class: "why" }, whyWords(t, c)),
  twoMtusSentence(c, diagnosis),
  adoption ? h("p", { class: "mtus-doc" }, h("span", { class: "muted" }, "MTUS document on this date "),
    h("strong", null, gov.guidelineDocument.label), ` — ${adoptionWords(adoption)}`) : null,
  dxLine, problems, trace);
}

// The search-sequence rule in force on the date, as the resolver's trace names it (9792.21.1 from
// 2015-04-20; 9792.25 and 9792.22 before it), never one rule for every date.
function ruleInForce(c) {
  const line = c.trace.find((step) => step.startsWith("Search sequence in force on"));
  const rule = line ? line.slice(line.indexOf(": ") + 2).replace(/\.$/, "") : "";
  return rule && rule !== "not in the graph" ? rule : "the search sequence";
}

function whyWords(t, c) {
  const gov = c.governing;
  const rule = ruleInForce(c);
  if (!gov) {
    if (c.outcome === "NOT_ADDRESSED") {
      return `No guideline in force on ${c.asOf} addresses ${t.label}. Under the search sequence (${rule}) `
        + "the decision then rests on other evidence-based guidelines or peer-reviewed studies (step 3).";
    }
    return "The service could not be matched to one section; see the steps below.";
  }
  const where = `${gov.section}${gov.pages ? `, pp. ${gov.pages}` : ""} (${gov.document}${gov.edition ? ` ${gov.edition}` : ""})`;
  if (gov.mtus) {
    return `The MTUS is searched first (${rule}) and is presumed correct (Labor Code 4604.5). On ${c.asOf} `
      + `${where} is part of the MTUS and addresses ${t.label}, so it governs. `
      + "The other columns are for comparison only.";
  }
  return `No part of the MTUS in force on ${c.asOf} addresses ${t.label}, so the search goes on to ACOEM or ODG `
    + `(step ${gov.evidenceStep}, ${rule}): ${where} governs.`;
}

// After 2017-12-01 the MTUS adopts the ACOEM guidelines themselves, so the MTUS and ACOEM columns
// can both be MTUS (the chronic pain guideline and a body-part chapter) and disagree: one sentence
// says why the governing one governs (8 CCR 9792.21.1 search sequence, as the resolver ranks it:
// the chapter for the diagnosis's body region first; with no region, the guideline for the phase,
// taken as chronic when neither phase nor date of injury is given, as here).
function twoMtusSentence(c, diagnosis) {
  const gov = c.governing;
  const other = c.guidance.find((g) => !g.governs && g.citation && g.citation.mtus);
  if (!gov || !gov.mtus || !other) return null;
  const o = other.citation;
  const govName = `${gov.document}${gov.edition ? ` (${gov.edition})` : ""}`;
  const otherName = `${o.document}${o.edition ? ` (${o.edition})` : ""}`;
  const govRegions = gov.guidelineDocument.bodyRegions.filter((r) => r !== "Systemic");
  const otherRegions = o.guidelineDocument.bodyRegions.filter((r) => r !== "Systemic");
  const regionsOf = (list) => list.map(regionWords).join(", ");
  const disagree = other.recommendation && gov.recommendation && other.recommendation !== gov.recommendation;
  const lead = `Both ${gov.document} and ${o.document} are part of the MTUS on ${c.asOf}${disagree ? " and they disagree" : ""}: `;
  let reason;
  if (govRegions.length) {
    const from = diagnosis ? `the diagnosis ${diagnosis.code || diagnosis.label}` : "the diagnosis";
    reason = `${govName} governs because ${from} places the request in the ${regionsOf(govRegions)}, and the MTUS chapter `
      + `for that body region is searched before ${otherName}${otherRegions.length ? `, written for the ${regionsOf(otherRegions)}` : ""}.`;
  } else {
    reason = `${govName} governs because no diagnosis places the request in one body region, so the phase decides: taken as `
      + "chronic (no phase or date of injury is given), it is the MTUS guideline written for chronic pain, searched before "
      + `a body-part chapter such as ${otherName}${otherRegions.length ? ` (${regionsOf(otherRegions)})` : ""}.`;
  }
  return h("p", { class: "why-two-mtus" }, lead, reason);
}

// What a column is on the date: the MTUS column and, after 2017-12-01, an ACOEM column that is also
// part of the MTUS (another chapter), or ACOEM and ODG outside it.
function columnName(g) {
  const cit = g.citation;
  if (g.source === "MTUS") return "MTUS";
  if (cit && cit.mtus) return `${g.source}: another MTUS guideline`;
  return `${g.source}: outside the MTUS`;
}

function mtusIsAcoem(c) {
  const mtus = c.guidance.find((x) => x.source === "MTUS");
  return Boolean(mtus && mtus.citation && mtus.citation.guidelineDocument.family === "ACOEM");
}

function guidanceColumn(g, t, c) {
  const cit = g.citation;
  const headId = `col-${g.source.toLowerCase()}`;
  const head = h("header", { class: "col-head" },
    h("h3", { id: headId }, columnName(g)),
    cit ? mtusBadge(cit.mtus, cit.guideline) : null,
    g.governs ? h("span", { class: "badge badge-governs" }, "Governs") : null);
  if (!cit) {
    return h("section", { class: "col col-empty", "aria-labelledby": headId, dataset: { source: g.source } }, head,
      h("p", { class: "silent" }, g.source === "MTUS" ? `No part of the MTUS in force on ${c.asOf} addresses ${t.label}.`
        : `No ${g.source} section${g.source === "ACOEM" && mtusIsAcoem(c) ? " beyond the MTUS column" : ""} `
          + `addresses ${t.label} on ${c.asOf}.`));
  }
  const documentWords = [cit.document, cit.edition, cit.chapter ? `Ch. ${cit.chapter}` : null].filter(Boolean).join(", ");
  const facts = h("dl", { class: "facts" },
    h("dt", null, "Section"), h("dd", null, h("a", { href: href("section", cit.guidelineSection.id) }, cit.section)),
    h("dt", null, "Document"), h("dd", null, h("a", { href: href("document", cit.guidelineDocument.id) }, documentWords)),
    h("dt", null, "Pages"), h("dd", null, cit.pages ? `pp. ${cit.pages}` : "none: letters cite it by the section's title"),
    h("dt", null, "Guideline"), h("dd", null, guidelineWords(cit.guideline)),
    h("dt", null, "Searched at"), h("dd", null, stepWords(cit.evidenceStep)),
    h("dt", null, "Says"), h("dd", null, recommendationBadge(g.recommendation)),
    cit.guidelineSection.evidenceGrade ? [h("dt", null, "Evidence"), h("dd", null, cit.guidelineSection.evidenceGrade)] : null);
  return h("section", {
    class: ["col", g.governs && "col-governs"], "aria-labelledby": headId,
    dataset: { source: g.source, section: cit.guidelineSection.id, document: cit.guidelineDocument.id },
  },
  head, facts,
  cit.guidelineSection.summary ? h("p", { class: "summary" }, cit.guidelineSection.summary) : null,
  criteriaList(g.criteria),
  citationBox(cit, g.source));
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
          ? h("span", { class: "needs" }, "Open: depends on ", r.needs.map(factWords).join(", ")) : null);
    })));
}

// A citation to copy, with how sure the graph is of the section it names (from its confidence mark,
// kg/data/README.md) and where that comes from, in words beside it.
function citationBox(cit, key) {
  const id = `cite-${key}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  const button = h("button", { type: "button", class: "copy", "aria-describedby": id }, "Copy citation");
  button.addEventListener("click", () => copyCitation(cit.text, button));
  // issue 14: whoever copies the citation sees how sure it is (the API's words), and its source
  const sure = cit.confidence || confidenceWords(cit.guidelineSection.confidence);
  return h("div", { class: "citation" },
    h("p", { class: "cite-text", id }, cit.text),
    button,
    h("p", { class: "cite-confidence confidence", dataset: { confidence: sure } },
      h("span", { class: "muted" }, "How sure the graph is of this citation: "), h("strong", null, sure),
      cit.source ? h("span", { class: "muted" }, ` · source: ${cit.source}`) : null));
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
