// Search as you type, an ARIA combobox: treatments, diagnoses and sections as they match.

import { href } from "./address.js";
import { gql } from "./api.js";
import { kindWords } from "./common.js";
import { $, announce, h } from "./dom.js";

const SEARCH = `query Search($q: String!) {
  treatments(search: $q, first: 6) { totalCount edges { node { id label kind brandNames aliases } } }
  conditions(search: $q, first: 5) { totalCount edges { node { id code label } } }
  sections(filter: { search: $q }, first: 6) { totalCount
    edges { node { id title pages recommendation document { id label } } } } }`;

const combo = { seq: 0, timer: 0, options: [], active: -1 };

export function setupSearch() {
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

export async function runSearch(value, { openFirst = false } = {}) {
  const query = value.trim();
  const seq = ++combo.seq;
  if (!query) {
    combo.options = [];
    closeList();
    return;
  }
  let data;
  try {
    data = await gql(SEARCH, { q: query });
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
          detail: [matched ? `matches “${matched}”` : null, kindWords(t.kind)].filter(Boolean).join(" · ") };
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
