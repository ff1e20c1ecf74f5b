"""A synthetic guideline graph `factor` times the size of the shipped one, of the same shape.

The shipped data files are copied as they are; each further copy k (2..factor) re-issues every
edition, document, MTUS adoption, section, criterion, statutory overlay, treatment, condition
and formulary entry under new ids (`...-syn{k}`), with names made unique by a word of their own
(" zq{k}") so the alias tables grow without new ambiguities. Links between re-issued nodes stay
inside their copy; links to shared vocabulary (families, phases, body regions, facts, steps,
drug-list versions) are kept. So the graph grows `factor` times in sections, criteria, aliases,
treatments and conditions while the number of sections per treatment, and so a request's own
work, stays that of the shipped graph: the figure is what the size of the graph costs.

Condition codes are not copied (a code names one condition), so a request's diagnoses read as
they do in the shipped graph. Written as the shipped files are: Turtle with the same prefixes, one
block of statements per subject, as a larger graph of the project would be written (it was
N-Triples lines, every IRI in full, a heavier text per triple than the shipped files).

The names the copies add are names the fuzzy match reads: "physical therapy zq3" holds the words
of "physical therapy", so a misspelled "physcal therapy" finds every copy among its candidates
(kg/names.py), and the misspelled-service rows of the larger graph score them.

    python -m bench.graphgen OUT_DIR --factor 10
"""

from __future__ import annotations

import argparse
import shutil
from collections import defaultdict
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD, NamespaceManager
from rdflib.namespace import RDFS as RDFS_NS

from kg.load import DATA_DIR, data_files
from kg.namespaces import GL, PREFIXES

COPIED_TYPES = (
    GL.GuidelineEdition,
    GL.GuidelineDocument,
    GL.MtusAdoption,
    GL.GuidelineSection,
    GL.Criterion,
    GL.CriterionGroup,
    GL.StatutoryOverlay,
    GL.Treatment,
    GL.Condition,
    GL.FormularyEntry,
)
RENAMED_TEXT = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, GL.brandName, GL.letterTitle)
DROPPED = (GL.icd10Code, GL.icd9Code)
STANDARD = {
    "rdf": str(RDF),
    "rdfs": str(RDFS_NS),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "dcterms": str(DCTERMS),
    "owl": str(OWL),
}


def generate(out: Path, factor: int, source: Path = DATA_DIR) -> dict[str, int]:
    """Write the graph to `out` (created); return counts of what was written."""
    out.mkdir(parents=True, exist_ok=True)
    files = data_files(source)
    for path in files:
        shutil.copy2(path, out / path.name)
    graph = Graph()
    for path in files:
        graph.parse(path, format="turtle")
    copied = {s for t in COPIED_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}
    by_subject: dict[URIRef, list[tuple[URIRef, object]]] = defaultdict(list)
    for s, p, o in graph:
        if s in copied and p not in DROPPED:
            by_subject[s].append((p, o))
    names = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, uri in {**PREFIXES, **STANDARD}.items():
        names.bind(prefix, uri)
    header = "".join(f"@prefix {prefix}: <{uri}> .\n" for prefix, uri in names.namespaces())
    written = 0
    for k in range(2, factor + 1):
        suffix, word = f"-syn{k}", f" zq{k}"
        rename = {node: URIRef(f"{node}{suffix}") for node in copied}
        blocks = [header]
        for s in sorted(by_subject):
            lines = []
            for p, o in by_subject[s]:
                if isinstance(o, URIRef):
                    o = rename.get(o, o)
                elif isinstance(o, Literal) and p in RENAMED_TEXT:
                    o = Literal(f"{o}{word}", lang=o.language, datatype=o.datatype)
                lines.append(f"{p.n3(names)} {o.n3(names)}")
            blocks.append(f"\n{rename[s].n3(names)} " + " ;\n    ".join(lines) + " .\n")
            written += len(lines)
        (out / f"zz-synthetic-{k:02d}.ttl").write_text("".join(blocks), encoding="utf-8")
    return {
        "shipped_triples": len(graph),
        "synthetic_triples": written,
        "copied_nodes": len(copied),
        "factor": factor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--factor", type=int, default=10)
    args = parser.parse_args()
    print(generate(args.out, args.factor))


if __name__ == "__main__":
    main()
