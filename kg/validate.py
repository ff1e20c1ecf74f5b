"""Is the graph fit to serve? SHACL shapes, references, acyclic hierarchies, real ICD-10-CM codes,
and the source tables (kg/data/tables) compile without row errors to the committed Turtle.

`validate(graph, shapes)` returns a report value; it raises nothing for a non-conforming graph.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import networkx as nx
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from kg.namespaces import GL, PREFIXES, curie


@dataclass(frozen=True, slots=True)
class Violation:
    check: str  # shacl, reference, cycle, icd10, adoption, table
    focus: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.focus}: {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    violations: tuple[Violation, ...]

    @property
    def conforms(self) -> bool:
        return not self.violations


def validate(
    graph: Graph,
    shapes: Graph,
    *,
    shacl: bool = True,
    tables: Path | None | Literal["auto"] = "auto",
    progress: Callable[[str], None] | None = None,
    icd10: bool = True,
) -> ValidationReport:
    """All checks. `tables`: the folder of source tables to compile and check; "auto" means
    kg/data/tables with the full (SHACL) validation and no table check for the quick one.
    `progress`, when given, is told the name of each check as it starts (the SHACL check alone
    takes most of half a minute on the shipped graph). `icd10`: check the codes against ICD-10-CM
    here (the index checks them as it is built: `icd10_violations`)."""
    step = progress or (lambda _name: None)
    found: list[Violation] = []
    if tables == "auto":
        from kg.tables import TABLES_DIR

        tables = TABLES_DIR if shacl and TABLES_DIR.is_dir() else None
    if tables is not None:
        step("compiling the source tables")
        found += check_tables(tables)
    if shacl:
        step("checking the SHACL shapes")
        found += check_shapes(graph, shapes)
    step("checking references")
    found += check_references(graph)
    step("checking hierarchies")
    found += check_hierarchies(graph)
    if icd10:
        step("checking ICD-10-CM codes")
        found += check_icd10(graph)
    step("checking MTUS adoptions")
    found += check_adoptions(graph)
    return ValidationReport(tuple(found))


def check_shapes(graph: Graph, shapes: Graph) -> list[Violation]:
    from pyshacl import validate as shacl_validate  # slow import; only when validating

    conforms, results, _ = shacl_validate(
        graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    sh = "http://www.w3.org/ns/shacl#"
    out = []
    for result in results.subjects(RDF.type, URIRef(sh + "ValidationResult")):
        focus = results.value(result, URIRef(sh + "focusNode"))
        path = results.value(result, URIRef(sh + "resultPath"))
        message = results.value(result, URIRef(sh + "resultMessage"))
        where = curie(str(focus)) + (f" {curie(str(path))}" if path is not None else "")
        out.append(Violation("shacl", where, str(message)))
    return sorted(out, key=str)


def check_references(graph: Graph) -> list[Violation]:
    """Every id the data points to must be defined (typed) somewhere in the graph."""
    namespaces = tuple(PREFIXES.values())
    typed = set(graph.subjects(RDF.type, None))
    out = []
    for s, p, o in graph:
        if (
            isinstance(o, URIRef)
            and p != RDF.type
            and str(o).startswith(namespaces)
            and o not in typed
        ):
            out.append(
                Violation(
                    "reference",
                    curie(str(s)),
                    f"{curie(str(p))} points to undefined {curie(str(o))}",
                )
            )
    return sorted(out, key=str)


HIERARCHIES = (
    ("treatment hierarchy", SKOS.broader, GL.Treatment),
    ("condition hierarchy", SKOS.broader, GL.Condition),
    ("section hierarchy", GL.parentSection, GL.GuidelineSection),
    ("criterion groups", GL.member, GL.Criterion),
)


def check_hierarchies(graph: Graph) -> list[Violation]:
    out = []
    for name, predicate, _cls in HIERARCHIES:
        tree = nx.DiGraph((str(s), str(o)) for s, o in graph.subject_objects(predicate))
        for cycle in nx.simple_cycles(tree):
            path = " -> ".join(curie(node) for node in [*cycle, cycle[0]])
            out.append(Violation("cycle", curie(cycle[0]), f"{name} has a cycle: {path}"))
            if len(out) > 20:
                break
    return out


def check_icd10(graph: Graph) -> list[Violation]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # simple_icd_10_cm imports pkg_resources
        import simple_icd_10_cm as icd

    out = []
    for node, code in graph.subject_objects(GL.icd10Code):
        if not icd.is_valid_item(str(code)):
            out.append(Violation("icd10", curie(str(node)), f"{code} is not an ICD-10-CM code"))
    return sorted(out, key=str)


def icd10_violations(unknown: dict[str, str]) -> list[Violation]:
    """check_icd10's findings from the codes an index found unknown when it was built."""
    return sorted(
        (
            Violation("icd10", node, f"{code} is not an ICD-10-CM code")
            for node, code in unknown.items()
        ),
        key=str,
    )


def check_adoptions(graph: Graph) -> list[Violation]:
    """A document is adopted into the MTUS over disjoint intervals only."""
    spans: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for adoption, document in graph.subject_objects(GL.adopts):
        start = graph.value(adoption, GL.effectiveFrom)
        end = graph.value(adoption, GL.effectiveUntil)
        if start is not None:
            spans[str(document)].append(
                (str(start), str(end) if end is not None else "9999-12-31", str(adoption))
            )
    out = []
    for document, intervals in spans.items():
        intervals.sort()
        for (s1, e1, a1), (s2, _e2, a2) in zip(intervals, intervals[1:]):
            if s2 < e1:
                out.append(
                    Violation("adoption", curie(document), f"{curie(a1)} overlaps {curie(a2)}")
                )
    return out


def check_tables(folder: Path) -> list[Violation]:
    """The tables compile in memory without row errors (each one file:line:column), and the
    Turtle files beside the folder are what they compile to."""
    return list(_check_tables(folder, _fingerprint(folder)))


def _fingerprint(folder: Path) -> str:
    from kg.load import fingerprint

    return fingerprint([*sorted(folder.glob("*.tsv")), *sorted(folder.parent.glob("*.ttl"))])


@lru_cache(maxsize=4)  # the same tables are checked once, however many graphs are validated
def _check_tables(folder: Path, _fingerprint: str) -> tuple[Violation, ...]:
    from kg.load import load_ontology
    from kg.tables import compile_tables, stale_files, vocabulary

    result = compile_tables(folder, vocabulary(load_ontology()))
    out = [Violation("table", Path(e.path).name, str(e)) for e in result.errors]
    if not out:
        hint = "; run `python -m kg.tables` to compile the tables"
        stale = stale_files(result, folder.parent)
        out += [Violation("table", str(folder.parent), line + hint) for line in stale]
    return tuple(out)
