"""Inheritance rows: an edition not known to differ from its predecessor, in one row.

A row of inheritance.tsv (``acoem-low-back-2019  inherits_from  acoem-low-back-2016``) stands
for every section of the predecessor that the document does not define itself. Each becomes a
section of the document with the id it would have had as a copied row (the predecessor's
document id swapped for the document's: sec:acoem-low-back-2016-mri -> sec:acoem-low-back-2019-mri),
the same content, and

* ``gl:inheritedFrom`` the predecessor's section,
* ``gl:confidence gl:U``: nobody compared the two editions' text for this section,
* ``dcterms:source``: the inheritance row's source.

Its criteria are copied the same way (crit:<predecessor>-... -> crit:<document>-...), each with
``gl:inheritedFrom`` its original. A section the document defines in sections.tsv (because the
editions are known to differ there) is kept as written and not inherited. Rows may chain
(2020 from 2019 from 2016); a predecessor's inherited sections are inherited in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import GL, PREFIXES, curie
from kg.tables.cells import CellError, ref, to_terms
from kg.tables.read import Row, RowError, read_table
from kg.tables.schema import INHERITANCE
from kg.tables.turtle import Node

INHERITED_FROM = GL.inheritedFrom
UNCHECKED = URIRef(PREFIXES["gl"] + "U")
SEC, CRIT = PREFIXES["sec"], PREFIXES["crit"]


@dataclass(frozen=True, slots=True)
class Expansion:
    nodes: list[Node] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Rule:
    row: Row
    document: URIRef
    predecessor: URIRef


def expand(folder: Path, nodes: dict[URIRef, Node], shown: Callable[[Path], str]) -> Expansion:
    """The sections and criteria that the inheritance rows of `folder` stand for."""
    path = folder / f"{INHERITANCE.name}.tsv"
    if not path.exists():
        return Expansion()
    rows, errors = read_table(path, INHERITANCE, shown(path))
    rules = _rules(rows, nodes, errors)
    out = Expansion(errors=errors, rows={INHERITANCE.name: len(rows)})
    by_document = _sections_by_document(nodes)
    known = dict(nodes)
    for rule in _in_order(rules, errors):
        made = _inherit(rule, by_document, known, errors)
        out.nodes.extend(made)
        for node in made:
            known[node.id] = node
            if node.cls == GL.GuidelineSection:
                by_document.setdefault(rule.document, []).append(node)
    return out


def _rules(rows: list[Row], nodes: dict[URIRef, Node], errors: list[RowError]) -> list[_Rule]:
    rules: dict[URIRef, _Rule] = {}
    for row in rows:
        try:
            # type: ignore[arg-type]
            document = ref(row.get("document"), INHERITANCE.column("document"))
            # type: ignore[arg-type]
            predecessor = ref(row.get("inherits_from"), INHERITANCE.column("inherits_from"))
            # type: ignore[arg-type]
            to_terms(row.get("confidence"), INHERITANCE.column("confidence"))
        except CellError as exc:
            errors.append(row.error(str(exc).split(":")[0], str(exc)))
            continue
        problem = _problem(document, predecessor, nodes, rules)
        if problem:
            errors.append(row.error(problem[0], problem[1]))
            continue
        rules[document] = _Rule(row, document, predecessor)
    return list(rules.values())


def _problem(
    document: URIRef, predecessor: URIRef, nodes: dict[URIRef, Node], rules: dict[URIRef, _Rule]
) -> tuple[str, str] | None:
    for name, node in (("document", document), ("inherits_from", predecessor)):
        if node not in nodes or nodes[node].cls != GL.GuidelineDocument:
            return name, f"{name}: {curie(node)} is not a document of documents.tsv"
    if document == predecessor:
        return "inherits_from", "inherits_from: a document cannot inherit from itself"
    if document in rules:
        first = rules[document].row
        return (
            "document",
            f"document: {curie(document)} already inherits at {first.path}:{first.line}",
        )
    return None


def _in_order(rules: list[_Rule], errors: list[RowError]) -> list[_Rule]:
    """Predecessors before the documents that inherit from them; a cycle is an error."""
    by_document = {rule.document: rule for rule in rules}
    done: dict[URIRef, bool] = {}
    ordered: list[_Rule] = []

    def visit(rule: _Rule, path: tuple[URIRef, ...]) -> bool:
        if rule.document in done:
            return done[rule.document]
        if rule.document in path:
            errors.append(
                rule.row.error("inherits_from", "inherits_from: the inheritance rows form a cycle")
            )
            return False
        before = by_document.get(rule.predecessor)
        ok = before is None or visit(before, (*path, rule.document))
        done[rule.document] = ok
        if ok:
            ordered.append(rule)
        return ok

    for rule in rules:
        visit(rule, ())
    return ordered


def _sections_by_document(nodes: dict[URIRef, Node]) -> dict[URIRef, list[Node]]:
    out: dict[URIRef, list[Node]] = {}
    for node in nodes.values():
        if node.cls == GL.GuidelineSection:
            for document in _objects(node, GL.inDocument):
                out.setdefault(document, []).append(node)
    return out


def _inherit(
    rule: _Rule,
    by_document: dict[URIRef, list[Node]],
    known: dict[URIRef, Node],
    errors: list[RowError],
) -> list[Node]:
    rename = _Renamer(rule)
    own = {str(node.id) for node in by_document.get(rule.document, [])}
    made: list[Node] = []
    for section in by_document.get(rule.predecessor, []):
        new_id = rename(section.id, SEC)
        if new_id is None:
            errors.append(
                rule.row.error(
                    "inherits_from",
                    f"inherits_from: {curie(section.id)} does not start "
                    f"with the id of its document; cannot name its copy",
                )
            )
            continue
        if str(new_id) in own:
            continue  # the document defines this section itself: the editions differ there
        made += _copy(section, new_id, rule, rename, known, errors)
    return made


@dataclass(frozen=True, slots=True)
class _Renamer:
    """A predecessor's id to the document's: the predecessor document's id swapped for it."""

    rule: _Rule

    def __call__(self, node: URIRef, namespace: str) -> URIRef | None:
        old = str(self.rule.predecessor).removeprefix(PREFIXES["doc"])
        new = str(self.rule.document).removeprefix(PREFIXES["doc"])
        local = str(node).removeprefix(namespace)
        if not str(node).startswith(namespace) or not local.startswith(old + "-"):
            return None
        return URIRef(namespace + new + local[len(old) :])


def _copy(
    original: Node,
    new_id: URIRef,
    rule: _Rule,
    rename: _Renamer,
    known: dict[URIRef, Node],
    errors: list[RowError],
) -> list[Node]:
    """A copy of a section or criterion, and of the predecessor's criteria it lists."""
    if new_id in known:
        errors.append(
            rule.row.error(
                "document",
                f"document: the inherited {curie(new_id)} is already defined "
                f"({known[new_id].where})",
            )
        )
        return []
    node = Node(new_id, original.cls, "", where=f"{rule.row.path}:{rule.row.line}")
    made = [node]
    known[new_id] = node
    for predicate, objects in original.props:
        if predicate == DCTERMS.source:
            node.props.append((INHERITED_FROM, [original.id]))
            node.props.append((predicate, [Literal(rule.row.get("source"))]))
        elif predicate == GL.confidence:
            node.props.append((predicate, [UNCHECKED]))
        elif predicate == INHERITED_FROM:
            continue
        elif predicate == GL.inDocument:
            node.props.append((predicate, [rule.document]))
        elif predicate == GL.parentSection:
            # type: ignore[arg-type]
            node.props.append((predicate, [rename(o, SEC) or o for o in objects]))
        elif predicate in (GL.hasCriterion, GL.member):
            node.props.append((predicate, _criteria(objects, rule, rename, known, errors, made)))
        else:
            node.props.append((predicate, list(objects)))
    return made


def _criteria(
    objects: list,
    rule: _Rule,
    rename: _Renamer,
    known: dict[URIRef, Node],
    errors: list[RowError],
    made: list[Node],
) -> list[URIRef]:
    """The copies of the criteria a section lists (a criterion of another document is shared)."""
    out = []
    for criterion in objects:
        new_id = rename(criterion, CRIT)
        if new_id is None or criterion not in known:
            out.append(criterion)
            continue
        if new_id not in known:
            made += _copy(known[criterion], new_id, rule, rename, known, errors)
        out.append(new_id)
    return out


def _objects(node: Node, predicate: URIRef) -> list[URIRef]:
    return [
        o for p, objects in node.props if p == predicate for o in objects if isinstance(o, URIRef)
    ]
