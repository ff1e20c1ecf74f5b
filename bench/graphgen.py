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
they do in the shipped graph. Written as N-Triples lines in .ttl files (valid Turtle).

    python -m bench.graphgen OUT_DIR --factor 10
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.load import DATA_DIR, data_files
from kg.namespaces import GL

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
    triples = [(s, p, o) for s, p, o in graph if s in copied and p not in DROPPED]
    written = 0
    for k in range(2, factor + 1):
        suffix, word = f"-syn{k}", f" zq{k}"
        rename = {node: URIRef(f"{node}{suffix}") for node in copied}
        lines = []
        for s, p, o in triples:
            if isinstance(o, URIRef):
                o = rename.get(o, o)
            elif isinstance(o, Literal) and p in RENAMED_TEXT:
                o = Literal(f"{o}{word}", lang=o.language, datatype=o.datatype)
            lines.append(f"{rename[s].n3()} {p.n3()} {o.n3()} .\n")
        (out / f"zz-synthetic-{k:02d}.ttl").write_text("".join(lines), encoding="utf-8")
        written += len(lines)
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
