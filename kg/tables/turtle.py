"""Nodes to Turtle text: one block per node, its properties in the table's column order.

The output is deterministic (the same tables give the same bytes), so the committed Turtle can
be compared with the compilation as text and a change to a row shows as a small diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from kg.namespaces import PREFIXES

OTHER_PREFIXES = {
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
ALL_PREFIXES = {
    **{k: v for k, v in PREFIXES.items() if k == "gl"},
    **{k: v for k, v in PREFIXES.items() if k != "gl"},
    **OTHER_PREFIXES,
}
HEADER = (
    "# Compiled from kg/data/tables/*.tsv by `python -m kg.tables`: "
    "edit the tables, not this file.\n"
)


@dataclass(slots=True)
class Node:
    """One subject of the graph as the compiler built it from a row."""

    id: URIRef
    cls: URIRef
    file: str
    props: list[tuple[URIRef, list[URIRef | Literal]]] = field(default_factory=list)
    where: str = ""  # table:line of the row it came from

    def triples(self):
        yield self.id, RDF.type, self.cls
        for predicate, objects in self.props:
            for obj in objects:
                yield self.id, predicate, obj


def document(nodes: list[Node]) -> str:
    """A whole Turtle file: the header, the prefixes, the nodes in order."""
    width = max(len(p) for p in ALL_PREFIXES) + 2
    lines = [HEADER]
    lines += [f"@prefix {(p + ':').ljust(width)}<{ns}> ." for p, ns in ALL_PREFIXES.items()]
    lines.append("")
    for node in nodes:
        lines.append(block(node))
    return "\n".join(lines)


def block(node: Node) -> str:
    parts = [f"{qname(node.id)} a {qname(node.cls)}"]
    for predicate, objects in node.props:
        if objects:
            parts.append(f"    {qname(predicate)} " + ", ".join(term(o) for o in objects))
    return " ;\n".join(parts) + " .\n"


def qname(iri: URIRef) -> str:
    text = str(iri)
    for prefix, ns in ALL_PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return f"<{text}>"


def term(obj: URIRef | Literal) -> str:
    if isinstance(obj, URIRef):
        return qname(obj)
    if obj.datatype in (XSD.integer, XSD.decimal):
        return str(obj)
    if obj.datatype == XSD.boolean:
        return "true" if obj.toPython() else "false"
    quoted = '"' + _escape(str(obj)) + '"'
    if obj.datatype is not None:
        return f"{quoted}^^{qname(obj.datatype)}"
    return quoted


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
