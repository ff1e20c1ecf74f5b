"""Files to an rdflib Graph: the ontology and the data, with parse errors named by file and line."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from kg.errors import DataFileError

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
ONTOLOGY_DIR = PACKAGE_DIR / "ontology"
ONTOLOGY_FILE = "guideline.ttl"
SHAPES_FILE = "shapes.ttl"

_LINE = re.compile(r"at line (\d+)|line (\d+)")
_BAD_SYNTAX = re.compile(r"Bad syntax \(([^)]*)\)")


def data_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The Turtle files of a data folder, in a stable order."""
    if not data_dir.is_dir():
        raise DataFileError(str(data_dir), "data folder not found")
    return sorted(data_dir.glob("*.ttl"))


def parse_file(path: Path, into: Graph | None = None) -> Graph:
    """Parse one Turtle file; any failure becomes a DataFileError naming the file and line."""
    graph = into if into is not None else Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError:
        raise DataFileError(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(str(path), f"not UTF-8 text ({exc.reason})") from None
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        raise DataFileError(str(path), _first_line(str(exc)), _line_of(exc)) from None
    return graph


def parse_data(data: bytes, rdf_format: str, source: str) -> Graph:
    """Parse a graph read from elsewhere than a file (a graph store's answer); any failure becomes a
    DataFileError naming the source."""
    graph = Graph()
    try:
        graph.parse(data=data, format=rdf_format)
    except Exception as exc:  # as in parse_file: rdflib raises several unrelated types
        raise DataFileError(source, _first_line(str(exc)), _line_of(exc)) from None
    return graph


def load_ontology(ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    return parse_file(ontology_dir / ONTOLOGY_FILE)


def load_shapes(ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    return parse_file(ontology_dir / SHAPES_FILE)


def load_graph(data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    """The ontology and every data file merged into one graph."""
    graph = load_ontology(ontology_dir)
    for path in data_files(data_dir):
        parse_file(path, into=graph)
    return graph


def fingerprint(paths: Iterable[Path], salt: str = "") -> str:
    """A hash of file names and contents: the key of the start-up cache."""
    digest = hashlib.sha256(salt.encode())
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _line_of(exc: Exception) -> int | None:
    match = _LINE.search(str(exc))
    if match:
        return int(match.group(1) or match.group(2))
    line = getattr(exc, "lines", None)  # rdflib's BadSyntax counts from 0
    return line + 1 if isinstance(line, int) else None


def _first_line(message: str) -> str:
    bad = _BAD_SYNTAX.search(message)
    if bad:
        return f"bad Turtle syntax ({bad.group(1)})"
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[0][:300] if lines else "could not be parsed"
