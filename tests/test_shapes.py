"""SHACL shapes and the checks beyond them, on valid and invalid example files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from kg.load import load_graph, load_shapes, parse_file
from kg.validate import validate
from tests.conftest import DATA, MINI_GRAPH

INVALID = sorted((DATA / "invalid").glob("*.ttl"))
VALID = sorted((DATA / "valid").glob("*.ttl"))


def _with_mini(extra: Path) -> Graph:
    graph = load_graph(MINI_GRAPH)
    return parse_file(extra, into=graph)


def _expected(path: Path) -> str:
    match = re.search(r"^# expect: (.+)$", path.read_text(), re.MULTILINE)
    assert match, f"{path.name} names the rule it breaks"
    return match.group(1).strip()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def test_the_mini_graph_conforms(shapes: Graph) -> None:
    report = validate(load_graph(MINI_GRAPH), shapes)
    assert report.conforms, [str(v) for v in report.violations]


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_examples_conform(path: Path, shapes: Graph) -> None:
    report = validate(_with_mini(path), shapes)
    assert report.conforms, [str(v) for v in report.violations]


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_each_invalid_example_breaks_its_rule(path: Path, shapes: Graph) -> None:
    report = validate(_with_mini(path), shapes)
    assert not report.conforms
    expected = _expected(path)
    assert any(expected in str(v) for v in report.violations), [str(v) for v in report.violations]


def test_there_is_an_invalid_example_per_rule() -> None:
    assert len(INVALID) >= 30
