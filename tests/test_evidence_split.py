"""Nothing is tuned on the checking half of the dev letters (issue 14).

eval/split.tsv splits the 133 dev letters once into a tuning and a checking half. Every row of
the content tables that was learned from letters names them by DWC case number; the readings
(eval/readings) map case numbers to letter ids. These tests fail when an alias (treatment or
diagnosis names), a ranking count, or a case of the resolver's spec table comes from a
checking-half letter. Section and document titles known from checking letters may stay, as
evidence that the section exists (eval/resolver_eval.py counts them for the closing note).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.text import normalize

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "kg" / "data" / "tables"
CASE_NUMBER = re.compile(r"\bCM1\d-\d{7}\b")
LETTER_ID = re.compile(r"\bdev-\d{3}\b")
# Tables whose letter-derived content is aliases or ranking evidence: their rows may cite tuning
# letters only. (sections, documents and editions may cite checking letters for their titles.)
ALIAS_AND_RANKING_TABLES = ("treatments", "conditions", "citation_counts")


def _split() -> dict[str, tuple[str, str]]:
    """letter id -> (case number, half)."""
    halves = {}
    for line in (ROOT / "eval" / "split.tsv").read_text().splitlines():
        if line.startswith("#") or line.startswith("letter\t") or not line.strip():
            continue
        letter, case, half, _checked = line.split("\t")
        halves[letter] = (case, half)
    return halves


SPLIT = _split()


def _readings() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (ROOT / "eval" / "readings").glob("*.json")}


def checking_cases() -> set[str]:
    """Case numbers of the checking half, through the readings."""
    readings = _readings()
    return {
        readings[letter]["dwc_case_number"]
        for letter, (_case, half) in SPLIT.items()
        if half == "checking"
    }


def _rows(table: str) -> list[dict[str, str]]:
    path = TABLES / f"{table}.tsv"
    if not path.exists():
        return []
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:] if line]


def test_the_split_halves_the_letters_and_the_hand_checked_readings() -> None:
    halves = [half for _case, half in SPLIT.values()]
    assert len(SPLIT) == 133
    assert halves.count("tuning") == 67 and halves.count("checking") == 66
    rows = (ROOT / "eval" / "split.tsv").read_text().splitlines()
    checked = [r.split("\t")[2] for r in rows if r.endswith("\tyes")]
    assert sorted(checked) == ["checking"] * 12 + ["tuning"] * 13


def test_every_letter_has_a_reading_with_its_case_number() -> None:
    readings = _readings()
    assert set(readings) == set(SPLIT)
    for letter, (case, _half) in SPLIT.items():
        assert readings[letter]["dwc_case_number"] == case, letter
        assert readings[letter]["items"], letter


def test_readings_hold_no_letter_prose() -> None:
    """Structured fields only: no rationale, summary, heading or citation sentence."""
    for letter, reading in _readings().items():
        for item in reading["items"]:
            assert set(item) <= {
                "service",
                "quantity",
                "quantity_unit",
                "decision",
                "medically_necessary",
                "claims_administrator_citations",
                "reviewer_citations",
            }, letter
            for citation in item["claims_administrator_citations"] + item["reviewer_citations"]:
                assert "text" not in citation, letter


def test_the_split_is_drawn_as_its_header_says(letters_dir: Path) -> None:
    drawn = subprocess.run(
        [
            sys.executable,
            str(ROOT / "eval" / "make_split.py"),
            "--letters",
            str(letters_dir / "dev"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert drawn == (ROOT / "eval" / "split.tsv").read_text()


@pytest.mark.parametrize("table", ALIAS_AND_RANKING_TABLES)
def test_aliases_and_ranking_evidence_come_from_tuning_letters_only(table: str) -> None:
    checking = checking_cases()
    offending = [
        (row.get("id"), sorted(set(CASE_NUMBER.findall("\t".join(row.values()))) & checking))
        for row in _rows(table)
    ]
    assert [o for o in offending if o[1]] == []


def test_every_citation_count_names_the_letters_it_counts() -> None:
    tuning = {case for case, half in SPLIT.values() if half == "tuning"}
    rows = _rows("citation_counts")
    assert rows, "the citation counts table is missing"
    for row in rows:
        cases = set(CASE_NUMBER.findall(row["source"]))
        assert cases and cases <= tuning, row["id"]
        assert int(row["items"]) == len(cases), row["id"]


def test_no_rule_or_alias_in_code_names_a_letter() -> None:
    """The resolver's code and the spec table name no letter: rules generalise."""
    files = [*(ROOT / "kg").rglob("*.py"), ROOT / "tests" / "test_resolve_spec.py"]
    named = [
        (str(f.relative_to(ROOT)), m)
        for f in files
        for m in CASE_NUMBER.findall(f.read_text()) + LETTER_ID.findall(f.read_text())
    ]
    assert named == []


def test_no_spec_case_is_a_checking_letter_service() -> None:
    """A case of the spec table is written for a kind of service, never copied from a checking
    letter's item (a wording that tuning letters use too is common usage, not a copy)."""
    from tests.test_resolve_spec import CASES

    readings = _readings()
    services: dict[str, set[str]] = {"tuning": set(), "checking": set()}
    for letter, (_case, half) in SPLIT.items():
        services[half] |= {normalize(i["service"]) for i in readings[letter]["items"]}
    only_checking = services["checking"] - services["tuning"]
    copied = [c.id for c in CASES if normalize(c.values[0]) in only_checking]
    assert copied == []
