"""Content as tables: the TSV files of kg/data/tables compiled to the Turtle files of kg/data.

    from kg.tables import compile_tables, TABLES_DIR
    result = compile_tables(TABLES_DIR)      # a value: result.files, result.errors
    write(result, DATA_DIR)                  # what `python -m kg.tables` does

The layout of the tables and how to add a row: kg/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from kg.tables.compile import Compilation, compile_tables
from kg.tables.read import RowError

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PACKAGE_DIR / "data"
TABLES_DIR = DATA_DIR / "tables"

__all__ = [
    "DATA_DIR",
    "TABLES_DIR",
    "Compilation",
    "RowError",
    "compile_tables",
    "stale_files",
    "vocabulary",
    "write",
]


def vocabulary(ontology: Graph) -> set[URIRef]:
    """The ontology's own terms (classes, properties, individuals): what a gl: cell may name."""
    return {s for s in ontology.subjects() if isinstance(s, URIRef)}


def write(result: Compilation, data_dir: Path = DATA_DIR) -> list[Path]:
    """Write the compiled Turtle files that changed; remove none (other .ttl files stay)."""
    written = []
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, text in result.files.items():
        path = data_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def stale_files(result: Compilation, data_dir: Path = DATA_DIR) -> list[str]:
    """Turtle files of `data_dir` that differ from the compilation (or are missing, or extra)."""
    out = []
    for name, text in result.files.items():
        path = data_dir / name
        if not path.exists():
            out.append(f"{name} is missing")
        elif path.read_text(encoding="utf-8") != text:
            out.append(f"{name} differs from the compilation of the tables")
    for path in sorted(data_dir.glob("*.ttl")):
        if path.name not in result.files:
            out.append(f"{path.name} is not compiled from any table")
    return out
