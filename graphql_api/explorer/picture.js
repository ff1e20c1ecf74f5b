// The neighbourhood picture: what else addresses this node, in which guideline and edition, and
// when each is part of the MTUS. The node and its treatments and diagnoses on the left; on the
// right the sections, grouped by guideline (a document's editions together, oldest first), one row
// per edition with what differs: its date, its section's title when the editions' titles differ,
// and the dates it is part of the MTUS. Every box is a link to its page.

import { href, state } from "./address.js";
import { h, svg } from "./dom.js";

// The part of a page's query that fetches the picture of its node ($id), with the documents' MTUS
// adoptions (the "when" of each row).
export const NEIGHBOURHOOD = `neighbourhood(id: $id) { center truncated nodes { id label kind } edges { source target relation } }
  pictureDocuments: documents { id label family editionLabel adoptions { effectiveFrom effectiveUntil } }`;
const KIND_PATH = { TREATMENT: "treatment", SECTION: "section", DOCUMENT: "document", CONDITION: "condition" };
const CHAR_W = 6.9;  // px per character of the 12 px labels, a little above the font's mean: no label is cut
const FAMILY = { DWC: "DWC", ACOEM: "ACOEM", ODG: "ODG" };

export function neighbourhoodPanel(data, name) {
  const n = data && data.neighbourhood;
  if (!n || !n.nodes.length) return null;
  return h("section", { class: "panel graph-panel", "aria-labelledby": "graph-h" },
    h("h2", { id: "graph-h", class: "section-title" }, "What else addresses it, and when"),
    h("p", { class: "muted small" }, "Each row is one edition of a guideline that addresses it, with the dates that edition "
      + `is part of the MTUS; the row in force on ${state.asOf} is marked. Select a box to open it.`,
    n.truncated ? " Some were left out to keep the picture small." : ""),
    h("div", { class: "graph-scroll" }, drawNeighbourhood(n, data.pictureDocuments || [], name)));
}

// "ACOEM Low Back Disorders Guideline (2016-02-24)" -> series "ACOEM Low Back Disorders Guideline",
// edition "2016-02-24"; a label without a trailing date is a series of its own.
function seriesOf(label) {
  const m = /^(.*?)\s*\((\d{4}(?:-\d{2}-\d{2})?)\)\s*$/.exec(label);
  return m ? { series: m[1], edition: m[2] } : { series: label, edition: null };
}

function mtusWhen(doc) {
  const spans = (doc && doc.adoptions) || [];
  if (!spans.length) return { text: "not part of the MTUS", now: false, from: "9999" };
  const from = spans.map((a) => a.effectiveFrom).sort()[0];
  const open = spans.some((a) => !a.effectiveUntil);
  const until = open ? null : spans.map((a) => a.effectiveUntil).sort().at(-1);
  const now = spans.some((a) => a.effectiveFrom <= state.asOf && (!a.effectiveUntil || state.asOf < a.effectiveUntil));
  return { text: `MTUS ${from} – ${until ? `${until}` : "today"}`, now, from };
}

function drawNeighbourhood(n, documents, name) {
  const docs = new Map(documents.map((d) => [d.id, d]));
  const byId = new Map(n.nodes.map((node, i) => [node.id, { ...node, order: i }]));
  const linked = (id, kind) => n.edges.filter((e) => e.source === id || e.target === id)
    .map((e) => (e.source === id ? e.target : e.source)).filter((x) => byId.get(x) && byId.get(x).kind === kind);
  const of = (kind) => n.nodes.filter((x) => x.kind === kind).map((x) => byId.get(x.id));

  // the rows: every section with its document, grouped by series, editions by date
  const rows = of("SECTION").map((sec) => {
    const docId = linked(sec.id, "DOCUMENT")[0];
    const docNode = docId ? byId.get(docId) : null;
    const doc = docs.get(docId) || { label: docNode ? docNode.label : "", family: "" };
    const { series, edition } = seriesOf(doc.label);
    return { sec, docId, doc, series, edition: edition || doc.editionLabel || "", when: mtusWhen(doc) };
  });
  const groups = new Map();
  for (const row of rows) {
    const key = `${row.doc.family}|${row.series}`;
    if (!groups.has(key)) groups.set(key, { series: row.series, family: row.doc.family, rows: [] });
    groups.get(key).rows.push(row);
  }
  for (const g of groups.values()) {
    g.rows.sort((a, b) => (a.edition < b.edition ? -1 : a.edition > b.edition ? 1 : a.sec.order - b.sec.order));
    g.first = g.rows.reduce((m, r) => (r.when.from < m ? r.when.from : m), "9999");
    const titles = new Set(g.rows.map((r) => r.sec.label));
    g.sharedTitle = titles.size === 1 ? g.rows[0].sec.label : null;
  }
  // guidelines in the MTUS first, in the order they were adopted; then the others by name
  const ordered = [...groups.values()].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1
    : a.series.localeCompare(b.series)));

  const first = (a, b) => (b.id === n.center) - (a.id === n.center);
  const treatments = of("TREATMENT").sort((a, b) => first(a, b) || a.order - b.order);
  const conditions = of("CONDITION").sort((a, b) => first(a, b) || a.order - b.order);
  const center = byId.get(n.center);
  const leftGroups = (center.kind === "CONDITION"
    ? [["Diagnosis and others like it", conditions], ["Treatments", treatments]]
    : [["Treatments", treatments], ["Diagnoses the sections are written for", conditions]])
    .filter(([, list]) => list.length);

  const ROW = 26, BOX_H = 20, HEAD = 30, PAD = 16, GAP = 70;
  const fit = (labels, min) => Math.max(min, ...labels.map((l) => Math.ceil(l.length * CHAR_W) + 18));
  const editionText = (r) => (r.edition ? `${r.edition} edition` : r.doc.label);
  const sectionText = (r, g) => `${g.sharedTitle ? "" : `${r.sec.label} · `}${r.when.text}${r.when.now ? ` · in force on ${state.asOf}` : ""}`;
  const leftW = fit([...treatments, ...conditions].map((x) => x.label), 180);
  const edW = fit(rows.map(editionText), 120);
  const secW = fit(ordered.flatMap((g) => g.rows.map((r) => sectionText(r, g))), 200);
  const leftX = PAD, trunkX = PAD + leftW + GAP / 2, edX = PAD + leftW + GAP, secX = edX + edW + 8;
  const headWidth = Math.max(...ordered.map((g) => (`${g.series}${g.sharedTitle ? ` · section “${g.sharedTitle}”` : ""}`).length * 7.9));
  const width = Math.max(secX + secW, edX + headWidth) + PAD;

  const pos = new Map();
  const parts = [];
  let y = PAD;
  for (const [label, list] of leftGroups) {
    parts.push(svg("text", { x: leftX, y: y + 16, class: "g-head" }, `${label} (${list.length})`));
    y += HEAD;
    for (const node of list) {
      pos.set(node.id, { x: leftX, y, w: leftW });
      parts.push(nodeBox(node, leftX, y, leftW, BOX_H, node.label, n.center));
      y += ROW;
    }
  }
  const leftBottom = y;
  y = PAD;
  const rowY = new Map(), rowX = new Map();  // where a row's line ends: its edition's box, or its own
  for (const g of ordered) {
    parts.push(svg("text", { x: edX, y: y + 18, class: "g-series" },
      g.series.startsWith(g.family) ? null : svg("tspan", { class: "g-family" }, `${FAMILY[g.family] || g.family || "Guideline"} `),
      g.series, g.sharedTitle ? svg("tspan", { class: "g-shared" }, ` · section “${g.sharedTitle}”`) : null));
    y += HEAD;
    g.rows.forEach((r, i) => {
      const docNode = byId.get(r.docId) || { id: r.docId, kind: "DOCUMENT", label: r.doc.label };
      const firstOfEdition = i === 0 || g.rows[i - 1].docId !== r.docId;
      if (firstOfEdition) {  // an edition's box once, beside its first section
        parts.push(nodeBox(docNode, edX, y, edW, BOX_H, editionText(r), n.center, `${r.doc.label} (document)`));
      }
      parts.push(nodeBox(r.sec, secX, y, secW, BOX_H, sectionText(r, g), n.center,
        `${r.sec.label}, ${r.doc.label} (section)`, r.when.now ? "g-now" : null));
      rowY.set(r.sec.id, y);
      rowX.set(r.sec.id, firstOfEdition ? edX : secX);
      y += ROW;
    });
    y += 6;
  }
  const height = Math.max(leftBottom, y) + PAD;

  // links: from a treatment on the left to each row that addresses it, along one trunk (no crossing
  // curves); a diagnosis marks its rows when pointed at instead (its lines would cover the trunk)
  const edges = svg("g", { class: "g-edges", "aria-hidden": "true" });
  const rowsOf = new Map();
  for (const e of n.edges) {
    const [left, sec] = rowY.has(e.target) ? [e.source, e.target] : [e.target, e.source];
    const a = pos.get(left);
    if (!a || !rowY.has(sec)) continue;
    if (!rowsOf.has(left)) rowsOf.set(left, new Set());
    rowsOf.get(left).add(sec);
    if (left !== n.center && byId.get(left).kind === "CONDITION") continue;
    const y1 = a.y + BOX_H / 2, y2 = rowY.get(sec) + BOX_H / 2;
    edges.append(svg("path", {
      d: `M ${a.x + a.w} ${y1} H ${trunkX} V ${y2} H ${rowX.get(sec)}`,
      class: `g-edge g-${e.relation.toLowerCase()}`, dataset: { a: left, b: sec },
    }));
  }
  const root = svg("svg", {
    viewBox: `0 0 ${Math.ceil(width)} ${height}`, width: Math.ceil(width), height, class: "graph", role: "group",
    "aria-label": `What else addresses ${name}: ${rows.length} sections in ${ordered.length} guidelines`,
  });
  root.append(svg("title", null, `What else addresses ${name}`), edges, ...parts);
  for (const link of root.querySelectorAll("a.g-node")) {
    const id = link.dataset.id;
    const marks = rowsOf.get(id) || new Set();
    const highlight = (on) => {
      for (const path of edges.querySelectorAll("path")) {
        if (path.dataset.a === id || path.dataset.b === id) path.classList.toggle("g-hl", on);
      }
      for (const row of root.querySelectorAll("a.g-section")) {
        if (marks.has(row.dataset.id)) row.classList.toggle("g-marked", on);
      }
    };
    link.addEventListener("mouseenter", () => highlight(true));
    link.addEventListener("mouseleave", () => highlight(false));
    link.addEventListener("focus", () => highlight(true));
    link.addEventListener("blur", () => highlight(false));
  }
  return root;
}

function nodeBox(node, x, y, w, boxH, text, centerId, title, extra) {
  return svg("a", {
    href: href(KIND_PATH[node.kind], node.id),
    class: ["g-node", `g-${node.kind.toLowerCase()}`, node.id === centerId && "g-center", extra],
    dataset: { id: node.id },
  },
  svg("title", null, title || `${node.label} (${node.kind.toLowerCase()})`),
  svg("rect", { x, y, width: w, height: boxH, rx: 4, ry: 4 }),
  svg("text", { x: x + 8, y: y + 14 }, text));
}
