"""Tables to Turtle files: rows to nodes, references checked, each node placed in its file.

`compile_tables(folder)` returns a `Compilation` value: the text of every Turtle file and the
row errors (never raises for bad content). Which file a node goes to follows from the rows:
an edition names its file; a document goes with its edition, an adoption and a section with
their document, a criterion with the first section (or group) that lists it; conditions,
treatments, formulary and legal rows have a file of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg.namespaces import GL, PREFIXES, curie
from kg.tables import inherit
from kg.tables.cells import CellError, ref, to_terms
from kg.tables.read import Row, RowError, read_table
from kg.tables.schema import CRITERIA, TABLES, Table
from kg.tables.turtle import Node, document

DATA_PREFIXES = tuple(p for p in PREFIXES if p != "gl")


@dataclass(frozen=True, slots=True)
class Compilation:
    files: dict[str, str]  # Turtle file name -> text
    errors: tuple[RowError, ...]
    rows: dict[str, int]  # table name -> rows read
    expanded: int = 0  # sections and criteria made from inheritance rows

    @property
    def ok(self) -> bool:
        return not self.errors

    def graph(self) -> Graph:
        graph = Graph()
        for text in self.files.values():
            graph.parse(data=text, format="turtle")
        return graph


@dataclass(slots=True)
class _State:
    nodes: dict[URIRef, Node] = field(default_factory=dict)
    rows: dict[URIRef, Row] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def compile_tables(folder: Path, vocabulary: set[URIRef] | None = None) -> Compilation:
    """Read every table of `folder`, check it, and build the Turtle files it compiles to.

    `vocabulary` is the set of ontology terms a ``gl:`` cell may name (None: not checked).
    """
    state = _State()
    counts: dict[str, int] = {}
    for table in TABLES:
        path = folder / f"{table.name}.tsv"
        if not path.exists():
            continue
        rows, errors = read_table(path, table, _shown(path))
        state.errors += errors
        counts[table.name] = len(rows)
        for row in rows:
            _add(state, row)
    expansion = inherit.expand(folder, state.nodes, _shown)
    state.errors += expansion.errors
    counts.update(expansion.rows)
    for node in expansion.nodes:
        state.nodes.setdefault(node.id, node)
    _check_references(state, vocabulary)
    _place(state)
    files = {name: document(nodes) for name, nodes in _ordered(state).items()}
    errors = tuple(sorted(set(state.errors), key=lambda e: (e.path, e.line, e.column, e.message)))
    return Compilation(files, errors, counts, len(expansion.nodes))


def _shown(path: Path) -> str:
    """A path as error messages show it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- rows to nodes


def _add(state: _State, row: Row) -> None:
    table = row.table
    try:
        subject = ref(row.get("id"), table.column("id"))  # type: ignore[arg-type]
    except CellError as exc:
        state.errors.append(row.error("id", str(exc)))
        return
    if subject in state.nodes:
        first = state.rows[subject]
        state.errors.append(
            row.error("id", f"id {curie(subject)} is already defined at {first.path}:{first.line}")
        )
        return
    node = Node(subject, _class(table, row), table.file or "", where=f"{row.path}:{row.line}")
    if table.name == "editions":
        node.file = _file_name(row, state)
    for column in table.columns:
        if column.predicate is None:
            continue
        try:
            node.props.append((column.predicate, to_terms(row.get(column.name), column)))
        except CellError as exc:
            state.errors.append(row.error(column.name, str(exc)))
    state.nodes[subject] = node
    state.rows[subject] = row


def _class(table: Table, row: Row) -> URIRef:
    if table is CRITERIA:
        return GL.CriterionGroup if row.get("logic") else GL.Criterion
    return table.cls  # type: ignore[return-value]


def _file_name(row: Row, state: _State) -> str:
    name = row.get("file")
    if name and ("/" in name or not name.endswith(".ttl")):
        state.errors.append(row.error("file", f"file: {name!r} is not a Turtle file name (x.ttl)"))
    return name


# ---------------------------------------------------------------- references


def _check_references(state: _State, vocabulary: set[URIRef] | None) -> None:
    data = tuple(PREFIXES[p] for p in DATA_PREFIXES)
    for subject, row in state.rows.items():
        node = state.nodes[subject]
        for column in row.table.columns:
            if column.kind != "ref" or column.predicate is None:
                continue
            for obj in _objects(node, column.predicate):
                if str(obj).startswith(data) and obj not in state.nodes:
                    state.errors.append(
                        row.error(
                            column.name, f"{column.name}: {curie(obj)} is not defined in any table"
                        )
                    )
                elif (
                    vocabulary is not None
                    and str(obj).startswith(PREFIXES["gl"])
                    and obj not in vocabulary
                ):
                    state.errors.append(
                        row.error(
                            column.name,
                            f"{column.name}: {curie(obj)} is not a term of the ontology",
                        )
                    )


def _objects(node: Node, predicate: URIRef) -> Iterable[URIRef]:
    for p, objects in node.props:
        if p == predicate:
            yield from (o for o in objects if isinstance(o, URIRef))


# ---------------------------------------------------------------- files and order

_NO_FILE = {
    GL.GuidelineDocument: "its edition has no file",
    GL.MtusAdoption: "its document has no file",
    GL.GuidelineSection: "its document has no file",
}
_HANGS_FROM = {
    GL.GuidelineDocument: GL.edition,
    GL.MtusAdoption: GL.adopts,
    GL.GuidelineSection: GL.inDocument,
}


def _place(state: _State) -> None:
    """Give every node without a file of its own the file of the node it hangs from."""
    for cls in (GL.GuidelineDocument, GL.MtusAdoption, GL.GuidelineSection):
        for node in state.nodes.values():
            if node.cls == cls and not node.file:
                parent = next(iter(_objects(node, _HANGS_FROM[cls])), None)
                node.file = state.nodes[parent].file if parent in state.nodes else ""
    for owner in list(state.nodes.values()):
        for child in _children(owner):
            _place_criterion(state, child, owner.file)
    failed = {(e.path, e.line) for e in state.errors}
    for subject, node in state.nodes.items():
        row = state.rows.get(subject)
        if not node.file and row is not None and (row.path, row.line) not in failed:
            why = _NO_FILE.get(node.cls, "no section or group lists it")
            state.errors.append(
                row.error("id", f"{curie(subject)} belongs to no Turtle file: {why}")
            )


def _place_criterion(state: _State, subject: URIRef, file: str) -> None:
    node = state.nodes.get(subject)
    if node is None or node.file or not file:
        return
    node.file = file
    for child in _children(node):
        _place_criterion(state, child, file)


def _children(node: Node) -> list[URIRef]:
    return [*_objects(node, GL.hasCriterion), *_objects(node, GL.member)]


def _ordered(state: _State) -> dict[str, list[Node]]:
    """Nodes per file: in table order, each section followed by the criteria it lists."""
    out: dict[str, list[Node]] = {}
    done: set[URIRef] = set()

    def put(node: Node) -> None:
        if node.id in done or not node.file:
            return
        done.add(node.id)
        out.setdefault(node.file, []).append(node)
        if node.cls in (GL.GuidelineSection, GL.Criterion, GL.CriterionGroup):
            for child in _children(node):
                if child in state.nodes and state.nodes[child].file == node.file:
                    put(state.nodes[child])

    for node in state.nodes.values():
        put(node)
    return dict(sorted(out.items()))
