"""What the command line prints for a person: the citations of both sides of a letter, the graph
as compact JSON-LD, and the progress of a long validation (on a terminal only)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from guideline_kg.cli import main
from guideline_kg.cli_progress import wanted
from kg.load import ONTOLOGY_DIR, load_graph

DATA = Path(__file__).parent / "data"
MINI = DATA / "graph"


def test_parse_shows_the_citations_of_both_sides(capsys: pytest.CaptureFixture[str]) -> None:
    letters = DATA / "letters"
    assert (
        main(
            [
                "parse",
                str(letters / "synthetic-2017-both-sides.txt"),
                str(letters / "synthetic-2017-denied-surgery.txt"),
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    first = lines.index(
        "  Upheld     Physical therapy for the right shoulder 2 times a week for 3 weeks"
    )
    assert lines[first + 1] == (
        "    claims administrator: MTUS ACOEM Low Back Complaints 2004, Section(s): Physical "
        "Methods; MTUS Post-Surgical Postsurgical Treatment 2009, Section(s): Initial course of "
        "therapy"
    )
    assert lines[first + 2] == (
        "    reviewer: MTUS ACOEM Shoulder Complaints 2004, Section(s): Physical Methods; "
        "Other per the guidelines"
    )
    sling = lines.index("  Upheld     Associated surgical service: Shoulder sling")
    assert lines[sling + 1 : sling + 3] == [
        "    claims administrator: nothing cited",
        "    reviewer: nothing cited",
    ]


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_export_jsonld_is_compact_and_the_same_graph(tmp_path: Path) -> None:
    out = tmp_path / "graph.jsonld"
    assert main(["export", "--format", "jsonld", "--data-dir", str(MINI), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    document = json.loads(text)
    context = document["@context"]
    assert context["label"] == "rdfs:label"
    assert context["tx"] == "https://w3id.org/guideline-kg/id/treatment/"
    assert context["addresses"] == {"@id": "gl:addresses", "@type": "@vocab"}
    nodes = {node["id"]: node for node in document["@graph"]}
    therapy = nodes["tx:physical-therapy"]
    assert therapy["type"] == "Treatment" and therapy["label"] == "physical therapy"
    assert any(n.get("addresses") == "tx:physical-therapy" for n in nodes.values())
    # Compaction loses nothing: the JSON-LD reads back as the graph that was exported.
    again = Graph().parse(data=text, format="json-ld")
    assert isomorphic(again, load_graph(MINI, ONTOLOGY_DIR))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_validate_shows_its_steps_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["validate", "--data-dir", str(MINI)]) == 0
    shown = terminal.getvalue()
    assert "done: loading the graph" in shown and "done: checking the SHACL shapes" in shown
    assert capsys.readouterr().out == "conforms\n"  # the report alone on stdout
    assert not wanted(quiet=True, stream=terminal)  # --quiet
    assert not wanted(quiet=False, stream=io.StringIO())  # a pipe or a log file
