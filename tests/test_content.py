"""The shipped graph: its size, its validity, and that it knows every title real letters cite."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.citations import match_citation
from kg.index import GuidelineIndex
from kg.load import load_graph, load_shapes
from kg.validate import validate

# Issue 2's floors for the shipped content.
FLOORS = {
    "documents": 40,
    "sections": 300,
    "criteria": 400,
    "conditions": 250,
    "treatments": 300,
    "formulary_entries": 20,
}
PUBLISHER_FLOORS = {"DWC": 100, "ACOEM": 80, "ODG": 100}
GRAPH_LABELS = {
    "MTUS CPMTG",
    "MTUS ACOEM",
    "MTUS Acupuncture",
    "MTUS Post-Surgical",
    "MTUS Opioids",
    "ACOEM",
    "ODG",
}


def test_the_shipped_graph_meets_the_content_floors(index: GuidelineIndex) -> None:
    stats = index.stats()
    for key, floor in FLOORS.items():
        assert stats[key] >= floor, (key, stats[key])
    for publisher, floor in PUBLISHER_FLOORS.items():
        assert stats["sections_by_publisher"][publisher] >= floor, (
            publisher,
            stats["sections_by_publisher"],
        )


@pytest.mark.slow
def test_the_shipped_graph_validates() -> None:
    report = validate(load_graph(), load_shapes())
    assert report.conforms, [str(v) for v in report.violations[:20]]


def test_every_node_has_a_source(index: GuidelineIndex) -> None:
    for collection in (
        index.documents,
        index.sections,
        index.criteria,
        index.conditions,
        index.treatments,
        index.adoptions,
        index.formulary,
    ):
        missing = [key for key, node in collection.items() if not node.provenance.sources]
        assert not missing, missing[:5]


def _reviewer_citations(letters: Path) -> list[tuple[str, dict]]:
    out = []
    for path in sorted((letters / "dev").glob("dev-*.json")) + [
        letters / "imr-2014-lumbar-four-items.json"
    ]:
        for item in json.loads(path.read_text())["items"]:
            for side in ("claims_administrator_citations", "reviewer_citations"):
                out += [(path.stem, c) for c in item[side] if c.get("guideline") in GRAPH_LABELS]
    return out


def test_every_section_title_cited_in_the_readings_is_in_the_graph(
    index: GuidelineIndex, letters_dir: Path
) -> None:
    """Every 'Section(s): ...' title of an MTUS citation names a section of the cited document;
    bare numbers ("Section(s): 326") are page locators, not titles, and are left to the audit."""
    failures = []
    for letter, citation in _reviewer_citations(letters_dir):
        sections = citation.get("sections")
        if not sections or re.fullmatch(r"[\d\s,]+", sections):
            continue
        match = match_citation(
            citation["guideline"],
            citation.get("topic"),
            sections,
            None,
            citation.get("edition"),
            index,
            citation.get("chapter"),
        )
        unmatched = [u for u in match.unmatched if not re.fullmatch(r"[\d\s]+", u)]
        if not match.document_ids or unmatched or not match.section_ids:
            failures.append((letter, citation["text"], match.document_ids, unmatched))
    assert not failures, failures


def test_every_cited_document_and_odg_topic_is_in_the_graph(
    index: GuidelineIndex, letters_dir: Path
) -> None:
    failures = []
    for letter, citation in _reviewer_citations(letters_dir):
        if citation.get("sections") or not (citation.get("topic") or citation.get("chapter")):
            continue
        match = match_citation(
            citation["guideline"],
            citation.get("topic"),
            None,
            citation.get("pages"),
            citation.get("edition"),
            index,
            citation.get("chapter"),
        )
        if not match.document_ids:
            failures.append((letter, citation["text"], "no document"))
        elif citation["guideline"] == "ODG" and match.unmatched and not match.section_ids:
            failures.append((letter, citation["text"], match.unmatched))
    assert not failures, failures


def test_every_title_cited_in_all_133_dev_letters_is_in_the_graph(
    index: GuidelineIndex, letters_dir: Path
) -> None:
    """Beyond the readings: read every dev letter and resolve each citation that names a title."""
    from kg.letters import read_letter_file

    failures, checked = [], 0
    for path in sorted((letters_dir / "dev").glob("dev-*.txt")):
        for item in read_letter_file(path).items:
            for c in (*item.claims_administrator_citations, *item.reviewer_citations):
                if c.guideline not in GRAPH_LABELS or not (c.topic or c.sections):
                    continue  # "Non-MTUS Citation ODG" names no title
                if c.sections and re.fullmatch(r"[\d\s,]+", c.sections):
                    continue  # a page number, not a title
                checked += 1
                match = match_citation(
                    c.guideline, c.topic, c.sections, c.pages, c.edition, index, c.chapter
                )
                unmatched = [u for u in match.unmatched if not re.fullmatch(r"[\d\s]+", u)]
                if not match.document_ids or (c.sections and (unmatched or not match.section_ids)):
                    failures.append((path.name, c.text, unmatched))
    assert checked > 500
    assert not failures, failures


def test_the_drug_list_has_twenty_statuses_from_a_source(index: GuidelineIndex) -> None:
    """Issue 2's floor for the MTUS Drug List counts statuses a source gives (V1 or better); the
    researcher's recollections (U) are in the graph, marked, but do not count."""
    sourced = [e for e in index.formulary.values() if e.provenance.confidence not in ("U", None)]
    assert len(sourced) >= 20, sorted(e.id for e in sourced)
    gabapentin = [e for e in index.formulary.values() if e.drug_id == "tx:gabapentin"]
    assert [e.status for e in gabapentin] == ["NonExempt"]  # the recollection "Exempt" was wrong
