// What more than one page shows: the graph's vocabularies in plain words, badges, criterion numbers,
// MTUS adoptions on a date, and the error and not-found panels.

import { ApiError } from "./api.js";
import { h } from "./dom.js";

// The fields of a criterion every query that shows one asks for (criterionNumbers reads them).
export const CRITERION_FIELDS = "kind text maxUnits minUnits unit perWeeks maxWeeks logic atLeast legalBasis";

const RECOMMENDATION = {
  RECOMMENDED: ["Recommended", "rec-yes"],
  RECOMMENDED_WITH_CONDITIONS: ["Recommended with conditions", "rec-cond"],
  NOT_RECOMMENDED: ["Not recommended", "rec-no"],
  NO_RECOMMENDATION: ["No recommendation", "rec-none"],
};
export const CRITERION_KIND = {
  QuantityLimit: "Quantity", DurationLimit: "Duration", FrequencyLimit: "Frequency", Prerequisite: "Prerequisite",
  Documentation: "Documentation", Exclusion: "Exclusion", Indication: "Indication", StatutoryCap: "Statutory cap",
};

// The graph's vocabularies as a reviewer says them (the ontology's labels, ontology/guideline.ttl):
// never a raw class or enum name on the page.
const TREATMENT_KIND = {
  CompoundedProduct: "Compounded product", Consultation: "Consultation", DME: "Durable medical equipment",
  Drug: "Drug", DrugClass: "Drug class", Electrodiagnostic: "Electrodiagnostic test", HomeCare: "Home care",
  Imaging: "Imaging", Injection: "Injection", Procedure: "Procedure", Program: "Program",
  ServiceCategory: "Group of services", Surgery: "Surgery", Test: "Test", Therapy: "Therapy",
};
const REGION = {
  Neck: "neck and upper back", ThoracicSpine: "thoracic spine", LowBack: "low back", Shoulder: "shoulder",
  Elbow: "elbow", ForearmWristHand: "forearm, wrist and hand", HipPelvis: "hip and pelvis", Knee: "knee and leg",
  AnkleFoot: "ankle and foot", Head: "head", Eye: "eye", Mental: "mental health", Pulmonary: "lungs",
  Abdomen: "abdomen", Systemic: "whole body",
};
// The facts that would decide an open criterion (ClinicalFactsInput, in the words of the ontology).
const FACT = {
  quantity: "the quantity requested", diagnosis: "the diagnosis", clinical_documentation: "the clinical notes",
  phase: "the phase of care", date_of_injury: "the date of injury", surgery: "the surgery", surgery_date: "the surgery date",
  age: "the patient's age", visits_received: "the visits already received", weeks_received: "the weeks already received",
  functional_improvement: "whether function improved with earlier treatment",
  failed_conservative_care: "whether conservative care failed",
  corroborated_radiculopathy: "whether radiculopathy is corroborated by imaging or nerve studies",
  neurologic_deficit: "whether there is an objective neurologic deficit", red_flags: "whether there are red flags",
  surgery_considered: "whether surgery is considered", first_line_failed: "whether first-line drugs failed",
  acute_exacerbation: "whether this is an acute flare-up", gi_risk: "the stomach (GI) risk factors",
  opioid_monitoring: "whether opioid monitoring is documented", pain_relief_percent: "how much the pain was relieved",
  relief_weeks: "how many weeks the relief lasted", psych_evaluation: "whether a psychological evaluation cleared the patient",
  successful_trial: "whether a trial succeeded", home_exercise: "whether there is a home exercise program",
  trigger_points: "whether trigger points are documented", return_to_work_goal: "whether there is a return-to-work goal",
  prior_imaging_unchanged: "whether earlier imaging of the region is unchanged",
};
// How letters label a guideline (gl:citationLabel) in words; the MTUS badge beside it says whether
// it is part of the MTUS, so the words do not repeat "MTUS".
const GUIDELINE = {
  "MTUS CPMTG": "Chronic Pain Medical Treatment Guidelines", "MTUS ACOEM": "ACOEM guideline adopted into it",
  "MTUS Opioids": "Opioids Treatment Guidelines", "MTUS Acupuncture": "Acupuncture Medical Treatment Guidelines",
  "MTUS Post-Surgical": "Postsurgical Treatment Guidelines", "MTUS Drug Formulary": "Drug Formulary",
  ACOEM: "ACOEM guideline", ODG: "Official Disability Guidelines (ODG)", Other: "another guideline",
};
const STEP = {
  1: "step 1: the MTUS, searched first",
  2: "step 2: ACOEM or ODG, when the MTUS is silent",
  3: "step 3: other guidelines or studies",
};
// kg/data/README.md: the confidence marks of a row; none = checked against the regulation.
const CONFIDENCE = {
  V2plus: "checked against two or more sources", "V2+": "checked against two or more sources",
  V2: "checked against two sources", V1: "checked against one source",
  REQ: "as the project's requirements state it, not yet checked against the guideline",
  LETTERS: "known from determination letters that cite it", U: "not verified: check it in the guideline",
};

export const kindWords = (kind) => TREATMENT_KIND[kind] || words(kind || "").toLowerCase();
export const regionWords = (region) => REGION[region] || words(region || "").toLowerCase();
export const factWords = (key) => FACT[key] || words(key);
export const guidelineWords = (label) => GUIDELINE[label] || (label || "").replace(/^MTUS\s+/, "");
export const stepWords = (step) => STEP[step] || `step ${step}`;
export const confidenceWords = (mark) => (mark ? CONFIDENCE[mark] || CONFIDENCE.U : "checked against the regulation");

// The resolver's trace is written for the API: its fact keys and region names in words here.
const REGION_NAMES = new RegExp(`\\b(${Object.keys(REGION).join("|")})\\b`, "g");
export const plainTrace = (line) => line
  .replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (key) => factWords(key).replace(/^the /, ""))
  .replace(REGION_NAMES, (name) => regionWords(name));

export const num = (x) => (Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100));
export const words = (key) => key.replace(/_/g, " ");

export function recommendationBadge(value) {
  if (!value) return null;
  const [label, cls] = RECOMMENDATION[value] || [value, "rec-none"];
  return h("span", { class: ["rec", cls] }, label);
}

export function mtusBadge(mtus, label) {
  return mtus
    ? h("span", { class: "badge badge-mtus", title: label ? `${label}: part of the MTUS on this date` : null }, "MTUS")
    : h("span", { class: "badge badge-non-mtus", title: "Not part of the MTUS on this date" }, "Non-MTUS");
}

export function criterionNumbers(c) {
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

export function adoptionOn(adoptions, on) {
  return (adoptions || []).find((a) => a.effectiveFrom <= on && (!a.effectiveUntil || on < a.effectiveUntil)) || null;
}

export function errorPanel(err) {
  return h("div", { class: "panel panel-error", role: "alert" },
    h("h2", null, "Something went wrong"),
    h("p", null, err instanceof ApiError ? err.message : "The page could not show this answer."),
    h("p", null, h("a", { href: "#/" }, "Start again")));
}

export function notFoundView(route, what) {
  return h("div", { class: "panel" },
    h("h1", null, "Not found"),
    h("p", null, what || `There is no page “${route.view}” in the explorer.`),
    h("p", null, "Search above, or ", h("a", { href: "#/" }, "start from the beginning"), "."));
}
