// The MTUS Drug List standing of a drug on the page's date (8 CCR 9792.27.1 ff.), asked of the
// resolver through POST /graphql like every other answer. A panel that fills itself in: the
// treatment page only places it. Not-known standings are shown as not known, never as a status.

import { state } from "./address.js";
import { gql } from "./api.js";
import { confidenceWords } from "./common.js";
import { h } from "./dom.js";

const DRUG_KINDS = new Set(["Drug", "DrugClass", "CompoundedProduct"]);
const DRUG_LIST = `query DrugList($input: ResolveInput!) {
  resolve(input: $input) {
    ... on ResolveSuccess { services { drugList {
      standing text listVersion listVersionFrom recordedStatus specialFillDays perioperativeFillDays
      prospectiveReview sources confidence } } } } }`;
const STANDING = {
  EXEMPT: "Exempt", NON_EXEMPT: "Non-Exempt", UNLISTED: "Unlisted", COMPOUNDED: "Compounded",
  NOT_KNOWN: "Not known", NO_FORMULARY: "No formulary",
};

export function drugListPanel(t) {
  if (!DRUG_KINDS.has(t.kind)) return null;
  const body = h("div", { class: "drug-list-body muted" }, "Reading the MTUS Drug List…");
  const panel = h("section", { class: "drug-list", "aria-labelledby": "drug-list-h", "aria-live": "polite" },
    h("h2", { id: "drug-list-h", class: "section-title" }, `MTUS Drug List on ${state.asOf}`), body);
  fill(t, body).catch(() => { body.textContent = "The Drug List standing could not be read."; });
  return panel;
}

async function fill(t, body) {
  const input = { date: state.asOf, diagnoses: [], services: [{ text: t.label, treatmentId: t.id }] };
  const data = await gql(DRUG_LIST, { input });
  const found = data.resolve && data.resolve.services ? data.resolve.services[0].drugList : null;
  body.replaceChildren();
  body.classList.remove("muted");
  if (!found) {
    body.append("No Drug List answer for this date.");
    return;
  }
  body.dataset.standing = found.standing;
  const facts = [];
  if (found.listVersion) facts.push(`list v${found.listVersion} from ${found.listVersionFrom}`);
  if (found.specialFillDays) facts.push(`Special Fill ${found.specialFillDays} days`);
  if (found.perioperativeFillDays) facts.push(`Perioperative Fill ${found.perioperativeFillDays} days`);
  if (found.confidence) facts.push(`how sure: ${confidenceWords(found.confidence)}`);
  body.append(
    h("p", null, h("span", { class: "badge" }, STANDING[found.standing] || found.standing), " ", found.text),
    facts.length ? h("p", { class: "muted" }, facts.join(" · ")) : null,
    found.sources.length ? h("p", { class: "muted" }, "Source: ", found.sources.join("; ")) : null);
}
