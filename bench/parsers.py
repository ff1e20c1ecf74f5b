"""rdflib's Turtle parser against Oxigraph's (oxrdflib, rdflib's store on pyoxigraph) on generated
graphs: `python -m bench.parsers --factors 1,10,30` (issue 15; the result is in bench/README.md).

Each factor's graph (bench/graphgen.py) is loaded three ways (MODES), each in a process of its
own so that peak memory is the load's, and the index built from it (kg.build walks the graph with
rdflib's API in every mode). Without oxrdflib installed, its lines say so.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT
from bench.graphgen import generate

LOAD = """
import sys, time

def peak():
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    return int(status.split()[0])

from pathlib import Path
from rdflib import Graph
from kg.load import data_files, ONTOLOGY_DIR, ONTOLOGY_FILE
mode = sys.argv[2]
start = time.perf_counter()
graph = Graph(store="Oxigraph" if mode == "oxigraph-store" else "default")
for path in [ONTOLOGY_DIR / ONTOLOGY_FILE, *data_files(Path(sys.argv[1]))]:
    graph.parse(path, format="turtle" if mode == "rdflib" else "ox-turtle")
parsed = time.perf_counter() - start
from kg.build import build_index
index = build_index(graph)
built = time.perf_counter() - start - parsed
print(parsed, built, len(graph), peak())
"""


# rdflib's parser into rdflib's memory store (kg.load today); Oxigraph's parser (oxrdflib's
# "ox-turtle") into the same memory store; Oxigraph's parser into the Oxigraph store
MODES = ("rdflib", "ox-parser", "oxigraph-store")


def measure(data: Path, store: str) -> str:
    path = os.environ.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-c", LOAD, str(data), store],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), path]))},
    )
    if done.returncode != 0:
        return f"failed: {done.stderr.strip().splitlines()[-1][:120]}"
    parsed, built, triples, kib = done.stdout.split()
    return (
        f"parse {float(parsed):6.2f} s  build {float(built):6.2f} s  "
        f"{int(triples):>9,} triples  peak {int(kib) / 1024:6.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", default="1,10,30")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="guideline-kg-parsers-") as tmp:
        for factor in (int(f) for f in args.factors.split(",")):
            data = Path(tmp) / f"x{factor}"
            generate(data, factor)
            for mode in MODES:
                print(f"x{factor:<3} {mode:<15} {measure(data, mode)}", flush=True)


if __name__ == "__main__":
    main()
