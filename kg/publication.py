"""A graph published to a shared graph store, as data: what goes with it, and how a replica checks
what it read. The transport (SPARQL 1.1 Graph Store Protocol over HTTP) is
graphql_api/graph_store.py; this module does no I/O beyond reading the local files to publish.

The layout in the store, the same for any store that speaks the protocol:
- the graph (ontology and data, as `load_graph` merges them) in the named graph
  `urn:guideline-kg:graph:<version>`, written once for each version and never changed while it is
  the published one;
- the record of the published version in the named graph `urn:guideline-kg:published`, written
  after the graph: its version (the hash the embedded files give, so the same graph has the same
  version wherever it is served from), the named graph holding it, its triple count and a digest of
  its content, when it was published, and the version before it.

A replica reads the record, then the graph it names: a publish in between cannot mix two versions,
because the graph of a version is complete before any record points to it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, VOID, XSD, Namespace

from kg.errors import DataFileError, ValidationError
from kg.index import GuidelineIndex
from kg.load import DATA_DIR, ONTOLOGY_DIR, load_graph, load_shapes

RECORD_GRAPH = "urn:guideline-kg:published"
GRAPH_PREFIX = "urn:guideline-kg:graph:"
PUB = Namespace("urn:guideline-kg:publication#")  # the terms no standard vocabulary has
_RECORD = URIRef(RECORD_GRAPH)


@dataclass(frozen=True, slots=True)
class Publication:
    """The record of one published version."""

    version: str
    triples: int
    digest: str  # sha256 of the graph's sorted N-Triples lines (no blank nodes in the graph)
    issued: datetime
    previous: str | None = None  # the version published before, kept until the next publish

    @property
    def graph(self) -> str:
        return graph_iri(self.version)


def graph_iri(version: str) -> str:
    return GRAPH_PREFIX + version


def digest(graph: Graph) -> str:
    """A hash of the graph's content, independent of triple order and of the store's formatting:
    what a replica compares with the record to know it serves exactly the published graph."""
    lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def prepare(
    data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR
) -> tuple[Graph, Publication]:
    """The graph of the files and its record, only when it passes what `guideline-kg validate`
    checks (SHACL included) and holds an MTUS adoption; ValidationError otherwise."""
    from kg import _require_mtus
    from kg.build import build_index
    from kg.cache import index_key
    from kg.validate import validate

    version = index_key(data_dir, ontology_dir)
    graph = load_graph(data_dir, ontology_dir)
    report = validate(graph, load_shapes(ontology_dir))
    if not report.conforms:
        raise ValidationError([str(v) for v in report.violations])
    _require_mtus(build_index(graph, version=version), data_dir)
    if index_key(data_dir, ontology_dir) != version:  # a deploy copying files meanwhile
        raise DataFileError(str(data_dir), "the data files changed while they were read")
    record = Publication(version, len(graph), digest(graph), datetime.now(UTC))
    return graph, record


def index_from(
    graph: Graph, record: Publication, ontology_dir: Path = ONTOLOGY_DIR
) -> GuidelineIndex:
    """The index of a graph read from a store, checked as a server checks the embedded files, and
    against its record: a truncated or edited graph is refused, not served."""
    from kg import _require_mtus
    from kg.build import build_index
    from kg.validate import validate

    where = record.graph
    if len(graph) != record.triples:
        raise DataFileError(where, f"{len(graph)} triples read, {record.triples} published")
    if digest(graph) != record.digest:
        raise DataFileError(where, "the graph's content differs from the published digest")
    report = validate(graph, load_shapes(ontology_dir), shacl=False)
    if not report.conforms:
        raise ValidationError([str(v) for v in report.violations])
    index = build_index(graph, version=record.version)
    _require_mtus(index, Path(where))
    return dataclasses.replace(index, checked=True)


def record_graph(record: Publication) -> Graph:
    graph = Graph()
    graph.add((_RECORD, OWL.versionInfo, Literal(record.version)))
    graph.add((_RECORD, PUB["graph"], URIRef(record.graph)))
    graph.add((_RECORD, VOID.triples, Literal(record.triples, datatype=XSD.integer)))
    graph.add((_RECORD, PUB["sha256"], Literal(record.digest)))
    graph.add((_RECORD, DCTERMS.issued, Literal(record.issued, datatype=XSD.dateTime)))
    if record.previous:
        graph.add((_RECORD, PUB["previous"], Literal(record.previous)))
    return graph


def read_record(graph: Graph) -> Publication:
    """The record from its named graph; DataFileError when a field is missing or malformed (a
    record written by hand, or by another program)."""

    def one(predicate: URIRef, required: bool = True) -> Literal | None:
        values = list(graph.objects(_RECORD, predicate))
        if len(values) > 1 or (required and not values):
            raise DataFileError(RECORD_GRAPH, f"needs exactly one {predicate}, has {len(values)}")
        return values[0] if values else None  # type: ignore[return-value]

    version = str(one(OWL.versionInfo))
    try:
        triples = int(one(VOID.triples).toPython())  # type: ignore[union-attr]
        issued = one(DCTERMS.issued).toPython()  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise DataFileError(RECORD_GRAPH, "malformed triple count or date") from None
    if str(one(PUB["graph"])) != graph_iri(version) or not isinstance(issued, datetime):
        raise DataFileError(RECORD_GRAPH, "the record's graph or date does not fit its version")
    previous = one(PUB["previous"], required=False)
    return Publication(
        version, triples, str(one(PUB["sha256"])), issued, previous and str(previous)
    )
