// A determination letter read and audited. Its text is sent to the API only: never put in the
// address, stored or logged.

import { isIsoDate } from "./address.js";
import { gql } from "./api.js";
import { errorPanel, guidelineWords, mtusBadge, num, words } from "./common.js";
import { $, h } from "./dom.js";
import { runSearch } from "./search.js";

const AUDIT = `query Audit($text: String!, $date: Date) {
  auditLetter(text: $text, date: $date) { __typename
    ... on UnreadableLetter { kind message }
    ... on LetterAudit { auditedOn findings { item kind severity message evidence }
      reading { dwcCaseNumber letterDates { dateAssigned decisionDate urDenialDate }
        case { age sex dateOfInjury diagnoses }
        items { heading service quantity quantityUnit decision medicallyNecessary rationaleText
          partialCertification { originalRequest authorizedByClaimsAdministrator imrEligiblePortion }
          claimsAdministratorCitations { text mtus guideline topic pages edition chapter sections }
          reviewerCitations { text mtus guideline topic pages edition chapter sections } } } } } }`;

const FINDING_KIND = {
  mtus_label: "MTUS label", superseded_edition: "Superseded edition", search_sequence: "Search sequence",
  pages_outside_section: "Pages outside the section", impossible_page_range: "Impossible page range",
  wrong_region: "Wrong body region", no_citation: "No citation",
  decision_contradicts_rationale: "Decision contradicts rationale", rationale_copied: "Copied rationale",
  rationale_other_service: "Rationale about another service",
  rationale_near_copy: "Nearly copied rationale", no_guideline_named: "No guideline named",
  postsurgical_without_surgery: "Post-surgical guidance without a surgery",
  drug_list_status: "MTUS Drug List status", no_mtus_in_force: "No MTUS in force",
};

let letterPage = null;

export function letterView() {
  if (letterPage) return letterPage;
  const text = h("textarea", {
    id: "letter-text", name: "letter", rows: 14, spellcheck: "false", required: true,
    "aria-describedby": "letter-privacy", placeholder: "Paste the text of an IMR Final Determination letter here",
  });
  const date = h("input", { type: "date", id: "letter-date", name: "date", "aria-describedby": "letter-date-hint" });
  const results = h("div", { class: "letter-results", id: "letter-results", tabindex: "-1" });
  const file = h("input", { type: "file", id: "letter-pdf", name: "pdf", accept: "application/pdf,.pdf", class: "file-input" });
  const drop = h("div", { class: "dropzone", id: "letter-drop", "aria-describedby": "letter-pdf-hint" },
    h("label", { for: "letter-pdf", class: "button" }, "Choose a PDF…"), file,
    h("p", { id: "letter-pdf-hint", class: "hint" }, "or drop a letter's PDF here (as DWC posts it). It is read on this "
      + "server into the text box below, then audited; it is not stored, not logged and never written to disk."));
  const submit = h("button", { type: "submit", class: "button button-primary" }, "Read and audit");
  const clear = h("button", { type: "button", class: "button" }, "Clear");
  const form = h("form", { class: "letter-form", "aria-labelledby": "letter-title" },
    drop,
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
      const data = await gql(AUDIT, { text: text.value, date: isIsoDate(date.value) ? date.value : null });
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
  const readPdf = async (pdf) => {
    if (!pdf) return;
    results.dataset.state = "loading";
    results.replaceChildren(h("p", { class: "muted" }, `Reading ${pdf.name}…`));
    try {
      text.value = await pdfText(pdf);
    } catch (err) {
      results.replaceChildren(h("div", { class: "panel panel-error", role: "alert" },
        h("h2", null, "This PDF could not be read"), h("p", null, err.message)));
      results.dataset.state = "error";
      return;
    } finally {
      file.value = "";  // the same file may be chosen again
    }
    form.requestSubmit();
  };
  file.addEventListener("change", () => readPdf(file.files[0]));
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add("dropzone-over");
    });
  }
  drop.addEventListener("dragleave", () => drop.classList.remove("dropzone-over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("dropzone-over");
    readPdf(event.dataTransfer.files[0]);
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
      h("p", { class: "names" }, "Paste its text or give its PDF to see its items, decisions and citations, and what the "
        + "audit finds against the graph.")),
    form, results);
  return letterPage;
}

// The PDF read on the server (POST /letter/pdf) by the command line's reader: its text, or why not.
async function pdfText(pdf) {
  let response;
  try {
    response = await fetch("/letter/pdf", { method: "POST", headers: { "content-type": "application/pdf" }, body: pdf });
  } catch (err) {
    throw new Error("The server cannot be reached. Is guideline-kg serve still running?");
  }
  if (response.status === 413) throw new Error("This PDF is larger than the server accepts (GUIDELINE_KG_MAX_BODY_BYTES).");
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    throw new Error(`The server answered ${response.status}.`);
  }
  if (!response.ok) throw new Error(body.message || `The server answered ${response.status}.`);
  return body.text;
}

function letterResults(answer, dateGiven) {
  if (answer.__typename === "UnreadableLetter") {
    return h("div", { class: "panel panel-error", role: "alert", dataset: { kind: answer.kind } },
      h("h2", null, "This text could not be read as a letter"),
      h("p", null, answer.message));
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
      mtusBadge(c.mtus, c.guideline), " ",
      c.guideline ? [h("span", { class: "guideline-label" }, guidelineWords(c.guideline)), ": "] : null,
      h("q", { class: "cite-inline" }, c.text))))
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
