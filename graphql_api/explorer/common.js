// What more than one page shows: the graph's vocabularies in words, badges, criterion numbers,
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
