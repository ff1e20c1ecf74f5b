// The landing page: how to start, examples, and the dates the chronic pain MTUS changed.

import { href } from "./address.js";
import { gql } from "./api.js";
import { h } from "./dom.js";

const EXAMPLES = `{
  norco: treatment(id: "tx:hydrocodone-acetaminophen") { id label brandNames }
  pt: treatment(id: "tx:physical-therapy") { id label }
  mri: treatment(id: "tx:mri-lumbar-spine") { id label }
  flexeril: treatment(id: "tx:cyclobenzaprine") { id label brandNames }
  documents { id label family adoptions { citationLabel effectiveFrom effectiveUntil regulation } } }`;

let landingData = null;

export async function homeView() {
  landingData = landingData || await gql(EXAMPLES);
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
