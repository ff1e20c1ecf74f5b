// The neighbourhood picture: an SVG of the node, its sections, their documents and diagnoses, each
// node a link to its page.

import { href } from "./address.js";
import { h, svg } from "./dom.js";

// The part of a page's query that fetches the picture of its node ($id).
export const NEIGHBOURHOOD = "neighbourhood(id: $id) { center truncated nodes { id label kind } edges { source target relation } }";
const KIND_PATH = { TREATMENT: "treatment", SECTION: "section", DOCUMENT: "document", CONDITION: "condition" };

export function neighbourhoodPanel(n, name) {
  if (!n || !n.nodes.length) return null;
  return h("section", { class: "panel graph-panel", "aria-labelledby": "graph-h" },
    h("h2", { id: "graph-h", class: "section-title" }, "Neighbourhood in the graph"),
    h("p", { class: "muted small" }, "Sections link the services they address to their documents and the diagnoses they are "
      + "written for. Select a node to open it.", n.truncated ? " Some nodes were left out to keep the picture small." : ""),
    h("div", { class: "graph-scroll" }, drawNeighbourhood(n, name)));
}

function drawNeighbourhood(n, name) {
  const ROW = 26, BOX_H = 20, GAP = 100, PAD = 36, HEAD = 28;
  const WIDTHS = [250, 270, 390];  // diagnoses and treatments, sections, documents
  const byId = new Map(n.nodes.map((node, i) => [node.id, { ...node, order: i }]));
  const links = (id) => n.edges.filter((e) => e.source === id || e.target === id)
    .map((e) => (e.source === id ? e.target : e.source));
  const of = (kind) => n.nodes.filter((x) => x.kind === kind).map((x) => byId.get(x.id));
  const center = byId.get(n.center);

  // Sections grouped by document, documents in the order their sections come, the rest by their links.
  const docOrder = new Map();
  for (const sec of of("SECTION")) {
    const doc = links(sec.id).find((id) => byId.get(id) && byId.get(id).kind === "DOCUMENT");
    if (doc && !docOrder.has(doc)) docOrder.set(doc, docOrder.size);
    sec.doc = doc ? docOrder.get(doc) : 1e6;
  }
  const sections = of("SECTION").sort((a, b) => (b.id === n.center) - (a.id === n.center) || a.doc - b.doc || a.order - b.order);
  const sectionRank = new Map(sections.map((s, i) => [s.id, i]));
  const documents = of("DOCUMENT").sort((a, b) => (docOrder.get(a.id) ?? 1e6) - (docOrder.get(b.id) ?? 1e6) || a.order - b.order);
  const mean = (node) => {
    const ranks = links(node.id).filter((id) => sectionRank.has(id)).map((id) => sectionRank.get(id));
    return ranks.length ? ranks.reduce((x, y) => x + y, 0) / ranks.length : 1e6;
  };
  const first = (a, b) => (b.id === n.center) - (a.id === n.center);
  const treatments = of("TREATMENT").sort((a, b) => first(a, b) || a.order - b.order);
  const conditions = of("CONDITION").sort((a, b) => first(a, b) || mean(a) - mean(b) || a.order - b.order);

  const leftGroups = center.kind === "CONDITION"
    ? [["Diagnoses", conditions], ["Treatments", treatments]] : [["Treatments", treatments], ["Diagnoses", conditions]];
  const columns = [
    { x: PAD, w: WIDTHS[0], groups: leftGroups.filter(([, list]) => list.length) },
    { x: PAD + WIDTHS[0] + GAP, w: WIDTHS[1], groups: [["Sections", sections]] },
    { x: PAD + WIDTHS[0] + WIDTHS[1] + 2 * GAP, w: WIDTHS[2], groups: [["Documents", documents]] },
  ];
  const heightOf = (col) => col.groups.reduce((sum, [, list]) => sum + HEAD + list.length * ROW, 0);
  const height = Math.max(...columns.map(heightOf)) + 16;
  const width = PAD + WIDTHS[0] + WIDTHS[1] + WIDTHS[2] + 2 * GAP + 16;
  const pos = new Map();
  const heads = [];
  for (const col of columns) {
    let y = Math.round((height - heightOf(col)) / 2);
    for (const [label, list] of col.groups) {
      if (!list.length) continue;
      heads.push(svg("text", { x: col.x, y: y + 16, class: "g-head" }, `${label} (${list.length})`));
      y += HEAD;
      for (const node of list) {
        pos.set(node.id, { x: col.x, w: col.w, y, node });
        y += ROW;
      }
    }
  }

  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, class: "graph", role: "group",
    "aria-label": `Graph neighbourhood of ${name}: ${n.nodes.length} nodes, ${n.edges.length} links`,
  });
  const edges = svg("g", { class: "g-edges", "aria-hidden": "true" });
  for (const e of n.edges) {
    const a = pos.get(e.source), b = pos.get(e.target);
    if (!a || !b) continue;
    const [l, r] = a.x <= b.x ? [a, b] : [b, a];
    const y1 = l.y + BOX_H / 2, y2 = r.y + BOX_H / 2;
    let d;
    if (l.x === r.x) {
      const bulge = Math.min(PAD - 4, 10 + Math.abs(y2 - y1) / 6);
      d = `M ${l.x} ${y1} C ${l.x - bulge} ${y1}, ${l.x - bulge} ${y2}, ${l.x} ${y2}`;
    } else {
      const x1 = l.x + l.w, x2 = r.x, mid = (x1 + x2) / 2;
      d = `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
    }
    edges.append(svg("path", { d, class: `g-edge g-${e.relation.toLowerCase()}`, dataset: { a: e.source, b: e.target } }));
  }
  const nodes = svg("g", { class: "g-nodes" });
  for (const { x, w, y, node } of pos.values()) {
    const fits = Math.floor((w - 14) / 6.6);
    const label = node.label.length > fits ? `${node.label.slice(0, fits - 1)}…` : node.label;
    const link = svg("a", {
      href: href(KIND_PATH[node.kind], node.id), class: ["g-node", `g-${node.kind.toLowerCase()}`, node.id === n.center && "g-center"],
      dataset: { id: node.id },
    },
    svg("title", null, `${node.label} (${node.kind.toLowerCase()})`),
    svg("rect", { x, y, width: w, height: BOX_H, rx: 4, ry: 4 }),
    svg("text", { x: x + 8, y: y + 14 }, label));
    const highlight = (on) => {
      for (const path of edges.querySelectorAll("path")) {
        if (path.dataset.a === node.id || path.dataset.b === node.id) path.classList.toggle("g-hl", on);
      }
    };
    link.addEventListener("mouseenter", () => highlight(true));
    link.addEventListener("mouseleave", () => highlight(false));
    link.addEventListener("focus", () => highlight(true));
    link.addEventListener("blur", () => highlight(false));
    nodes.append(link);
  }
  root.append(svg("title", null, `Neighbourhood of ${name}`), ...heads, edges, nodes);
  return root;
}
