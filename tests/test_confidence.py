"""How sure an answer is, in plain words, wherever a citation can be copied (issue 14, part 4):
the governing citation and every candidate carry their confidence ("verified against the
regulation", "seen in letters", "unverified") and source in `resolve --json`, the text output
and GraphQL; the confidence follows the cited section's mark in the tables."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from graphql_api.context import Context
from graphql_api.schema import schema
from guideline_kg.cli import main
from kg.index import GuidelineIndex

WORDS = {"verified against the regulation", "seen in letters", "unverified"}
# kg/data/README.md: the marks and what they say
EXPECTED = {
    None: "verified against the regulation",
    "V2+": "verified against the regulation",
    "V1": "verified against the regulation",
    "LETTERS": "seen in letters",
    "REQ": "seen in letters",
    "U": "unverified",
}
QUERY = """query($input: ResolveInput!) { resolve(input: $input) {
  ... on ResolveSuccess { services {
    governing { text confidence confidenceMark source guidelineSection { id } }
    candidates { text confidence confidenceMark source guidelineSection { id } } } } } }"""
SERVICES = ["Physical therapy 2 times a week for 6 weeks", "Tramadol 50mg #60", "MRI knee"]


def _graphql(index: GuidelineIndex) -> list[dict[str, Any]]:
    result = schema.execute_sync(
        QUERY,
        variable_values={
            "input": {
                "date": "2016-12-15",
                "diagnoses": [],
                "services": [{"text": s} for s in SERVICES],
            }
        },
        context_value=Context(index, date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC), 2000),
    )
    assert result.errors is None, result.errors
    return result.data["resolve"]["services"]


def test_graphql_citations_say_how_sure_they_are(index: GuidelineIndex) -> None:
    services = _graphql(index)
    marks = set()
    for service in services:
        citations = [service["governing"], *service["candidates"]]
        for citation in citations:
            section = index.sections[citation["guidelineSection"]["id"]]
            assert citation["confidenceMark"] == section.provenance.confidence
            assert citation["confidence"] == EXPECTED[citation["confidenceMark"]]
            assert citation["source"] == "; ".join(section.provenance.sources)
            marks.add(citation["confidence"])
    assert len(marks) >= 2  # the answers differ in how sure they are: the field is not constant


def test_resolve_json_and_text_carry_confidence(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["resolve", "--date", "2016-12-15", "--service", SERVICES[1]]
    assert main([*args, "--json"]) == 0
    service = json.loads(capsys.readouterr().out)["services"][0]
    for citation in [service["governing"], *service["candidates"]]:
        assert citation["confidence"] in WORDS and citation["source"]
    assert main(args) == 0
    text = capsys.readouterr().out.splitlines()
    governs = next(i for i, line in enumerate(text) if line.startswith("  governs: "))
    assert text[governs + 1].strip() == (
        f"confidence: {service['governing']['confidence']}; "
        f"source: {service['governing']['source']}"
    )
    shown = [line for line in text if line.startswith("  candidate: ")]
    assert len(shown) == len(service["candidates"]) - 1
    assert all(
        line.endswith(f"({c['confidence']})") for line, c in zip(shown, service["candidates"][1:])
    )
