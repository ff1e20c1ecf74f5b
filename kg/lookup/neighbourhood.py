"""A node's neighbourhood in the graph: what else governs a treatment, and when."""

from __future__ import annotations

from dataclasses import dataclass

from kg.index import GuidelineIndex
from kg.lookup.sections import narrower_conditions, narrower_treatments, sections_of_condition

MAX_NEIGHBOURS = 60


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: str
    kind: str  # treatment, section, document, condition


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    relation: str  # addresses, in_document, applies_to, broader, parent_section


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    center: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    truncated: bool


def neighbourhood(
    index: GuidelineIndex, node_id: str, limit: int = MAX_NEIGHBOURS
) -> Neighbourhood | None:
    """A small picture around a treatment, section or condition: at most `limit` nodes.

    Treatment: its broader and narrower treatments, the sections addressing it, their documents
    and conditions. Section: its document, parent, treatments and conditions. Condition: broader
    and narrower conditions, the sections applying to it and their documents.
    """
    builder = _Picture(index, limit)
    if node_id in index.treatments:
        builder.treatment(node_id)
    elif node_id in index.sections:
        builder.section(node_id, deep=True)
    elif node_id in index.conditions:
        builder.condition(node_id)
    else:
        return None
    return Neighbourhood(
        node_id,
        tuple(builder.nodes.values()),
        tuple(dict.fromkeys(builder.edges)),
        builder.truncated,
    )


class _Picture:
    def __init__(self, index: GuidelineIndex, limit: int) -> None:
        self.index, self.limit = index, limit
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.truncated = False

    def add(self, node_id: str) -> bool:
        if node_id in self.nodes:
            return True
        if len(self.nodes) >= self.limit:
            self.truncated = True
            return False
        ix = self.index
        if node_id in ix.treatments:
            node = Node(node_id, ix.treatments[node_id].label, "treatment")
        elif node_id in ix.sections:
            node = Node(node_id, ix.sections[node_id].label, "section")
        elif node_id in ix.documents:
            node = Node(node_id, ix.documents[node_id].label, "document")
        elif node_id in ix.conditions:
            c = ix.conditions[node_id]
            node = Node(node_id, f"{c.icd10} {c.label}" if c.icd10 else c.label, "condition")
        else:
            return False
        self.nodes[node_id] = node
        return True

    def link(self, source: str, target: str, relation: str) -> None:
        if self.add(source) and self.add(target):
            self.edges.append(Edge(source, target, relation))

    def treatment(self, tid: str) -> None:
        self.add(tid)
        t = self.index.treatments[tid]
        for parent in t.broader:
            self.link(tid, parent, "broader")
        for child in narrower_treatments(self.index, tid):
            self.link(child, tid, "broader")
        for sid in self.index.sections_by_treatment.get(tid, ()):
            self.link(sid, tid, "addresses")
            self.section(sid, deep=False)

    def section(self, sid: str, deep: bool) -> None:
        s = self.index.sections[sid]
        self.link(sid, s.document_id, "in_document")
        for cid in s.applies_to:
            self.link(sid, cid, "applies_to")
        if deep:
            if s.parent:
                self.link(sid, s.parent, "parent_section")
            for tid in s.addresses:
                self.link(sid, tid, "addresses")

    def condition(self, cid: str) -> None:
        self.add(cid)
        c = self.index.conditions[cid]
        for parent in c.broader:
            self.link(cid, parent, "broader")
        for child in narrower_conditions(self.index, cid):
            self.link(child, cid, "broader")
        for sid in sections_of_condition(self.index, cid):
            self.link(sid, cid, "applies_to")
            self.section(sid, deep=False)
