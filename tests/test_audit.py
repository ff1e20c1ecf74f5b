"""The letter audit: each defect found once, sound items left alone."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from guideline_kg.cli import main
from kg.audit import audit, rationale_verdict
from kg.index import GuidelineIndex
from kg.letters import Case, Citation, Determination, Item, LetterDates, read_letter_file
from kg.resolve import CachedResolver

NOT_NECESSARY = "The records do not show improvement. The request is not medically necessary."
NECESSARY = "The criteria are met. The request is medically necessary."


def citation(
    text: str,
    guideline: str,
    mtus: bool,
    topic: str | None = None,
    pages: str | None = None,
    edition: str | None = None,
    chapter: str | None = None,
    sections: str | None = None,
) -> Citation:
    return Citation(text, mtus, guideline, topic, pages, edition, chapter, sections)


PM_2009 = citation(
    "MTUS Test Pain Physical Medicine Page(s): 98-99",
    "MTUS CPMTG",
    True,
    "Physical Medicine",
    "98-99",
)


def item(
    service: str, reviewer: list[Citation], rationale: str = NOT_NECESSARY, decision: str = "Upheld"
) -> Item:
    return Item(
        heading=service,
        service=service,
        quantity=None,
        decision=decision,
        reviewer_citations=tuple(reviewer),
        rationale_text=rationale,
    )


def letter(
    *items: Item, on: str = "2014-02-01", diagnoses: tuple[str, ...] = ("low back pain",)
) -> Determination:
    return Determination(
        case=Case(age=40, sex="male", date_of_injury="2012-01-01", diagnoses=diagnoses),
        items=items,
        letter_dates=LetterDates(on, on, on),
    )


def kinds(findings: list) -> list[tuple[int, str]]:
    return [(f.item, f.kind) for f in findings]


def test_a_sound_letter_has_no_findings(mini_index: GuidelineIndex) -> None:
    reading = letter(
        item("Physical therapy x6", [PM_2009]),
        item(
            "Flexeril 7.5mg",
            [
                citation(
                    "MTUS Test Pain Cyclobenzaprine Page(s): 41-42",
                    "MTUS CPMTG",
                    True,
                    "Cyclobenzaprine",
                    "41-42",
                )
            ],
            rationale="Cyclobenzaprine is for a short course only. The request is not medically necessary.",
        ),
    )
    assert audit(reading, mini_index) == []


def test_an_impossible_page_range_is_found_once(mini_index: GuidelineIndex) -> None:
    cited = citation(
        "MTUS Muscle relaxants, Cyclobenzaprine Page(s): 63-34, 41-42",
        "MTUS CPMTG",
        True,
        "Muscle relaxants, Cyclobenzaprine",
        "63-34, 41-42",
    )
    found = audit(
        letter(
            item(
                "Cyclobenzaprine",
                [cited],
                rationale="Cyclobenzaprine is not indicated. " + NOT_NECESSARY,
            )
        ),
        mini_index,
    )
    assert kinds(found) == [(1, "impossible_page_range")]
    assert found[0].evidence == cited.text and found[0].severity == "error"


def test_pages_outside_the_cited_section(mini_index: GuidelineIndex) -> None:
    cited = citation(
        "MTUS Physical Medicine Page(s): 120-121",
        "MTUS CPMTG",
        True,
        "Physical Medicine",
        "120-121",
    )
    assert kinds(audit(letter(item("Physical therapy", [cited])), mini_index)) == [
        (1, "pages_outside_section")
    ]


def test_a_source_labelled_mtus_that_was_not_yet_mtus(mini_index: GuidelineIndex) -> None:
    cited = citation(
        "Test Pain Treatment 2016, Section(s): Physical medicine treatment",
        "MTUS CPMTG",
        True,
        "Test Pain Treatment",
        edition="2016",
        sections="Physical medicine treatment",
    )
    assert kinds(audit(letter(item("Physical therapy", [cited]), on="2015-03-01"), mini_index)) == [
        (1, "mtus_label")
    ]


def test_a_source_labelled_non_mtus_that_was_mtus(mini_index: GuidelineIndex) -> None:
    cited = citation(
        "Non-MTUS Citation Test Practice Guidelines Chapter 12 page 205",
        "ACOEM",
        False,
        pages="205",
        edition="2nd Edition (2004)",
        chapter="12",
    )
    found = kinds(
        audit(
            letter(
                item(
                    "Surgical consultation",
                    [cited],
                    rationale="A surgical consultation is not warranted yet. " + NOT_NECESSARY,
                )
            ),
            mini_index,
        )
    )
    assert found == [(1, "mtus_label")]


def test_a_superseded_edition(mini_index: GuidelineIndex) -> None:
    found = audit(letter(item("Physical therapy", [PM_2009]), on="2017-01-15"), mini_index)
    assert kinds(found) == [(1, "superseded_edition")]


def test_a_non_mtus_source_where_the_mtus_addresses_the_service(mini_index: GuidelineIndex) -> None:
    cited = citation(
        "Non-MTUS Citation ACOEM, 2nd Edition, (2004); Chapter 7 page 127",
        "ACOEM",
        False,
        pages="127",
        edition="2nd Edition (2004)",
        chapter="7",
    )
    found = audit(
        letter(
            item(
                "SPINE SURGERY CONSULTATION",
                [cited],
                rationale="A spine surgery consultation is warranted. " + NECESSARY,
                decision="Overturned",
            )
        ),
        mini_index,
    )
    assert kinds(found) == [(1, "search_sequence")]
    assert "Surgical Considerations" in found[0].message


def test_a_section_for_another_body_region(mini_index: GuidelineIndex) -> None:
    cited = citation(
        "MTUS Back Complaints Physical Methods Page(s): 210-212",
        "MTUS ACOEM",
        True,
        "Back Complaints, Physical Methods",
        "210-212",
    )
    found = audit(
        letter(
            item("Physical therapy for the right shoulder", [cited]), diagnoses=("shoulder pain",)
        ),
        mini_index,
    )
    assert kinds(found) == [(1, "wrong_region")]


def test_a_rationale_about_another_item_copied_from_it(mini_index: GuidelineIndex) -> None:
    pt = (
        "Physical therapy has not helped and further physical therapy is not supported. "
        + NOT_NECESSARY
    )
    cyclo = citation(
        "MTUS Cyclobenzaprine Page(s): 41-42", "MTUS CPMTG", True, "Cyclobenzaprine", "41-42"
    )
    found = audit(
        letter(
            item("PHYSICAL THERAPY X6", [PM_2009], rationale=pt),
            item("CYCLOBENZAPRINE", [cyclo], rationale=pt),
        ),
        mini_index,
    )
    assert kinds(found) == [(2, "rationale_other_service")]
    assert "copy of item 1" in found[0].message


def test_a_decision_that_contradicts_its_rationale(mini_index: GuidelineIndex) -> None:
    found = audit(
        letter(item("Physical therapy", [PM_2009], rationale=NECESSARY, decision="Upheld")),
        mini_index,
    )
    assert kinds(found) == [(1, "decision_contradicts_rationale")]


def test_no_citation_at_all(mini_index: GuidelineIndex) -> None:
    assert kinds(audit(letter(item("Physical therapy", [])), mini_index)) == [(1, "no_citation")]


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("The request is not medically necessary and appropriate.", False),
        ("Therefore the request is medically necessary.", True),
        (
            "I am reversing the decision; the MRI is medically necessary. Records were reviewed.",
            True,
        ),
        ("As such, the request for TENS is not medically necessary. Weaning is advised.", False),
        ("Nothing is concluded here.", None),
    ],
)
def test_the_rationale_verdict(text: str, verdict: bool | None) -> None:
    assert rationale_verdict(text) is verdict


def test_the_seed_letter_shows_its_three_defects_and_no_others(
    index: GuidelineIndex, letters_dir: Path
) -> None:
    determination = read_letter_file(letters_dir / "imr-2014-lumbar-four-items.txt")
    found = kinds(audit(determination, index))
    assert sorted(found) == [
        (1, "search_sequence"),
        (3, "impossible_page_range"),
        (3, "rationale_other_service"),
    ]


def test_the_cli_audits_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path(__file__).parent / "data" / "letters"
    assert (
        main(
            [
                "audit",
                str(folder),
                "--json",
                "--data-dir",
                str(Path(__file__).parent / "data" / "graph"),
            ]
        )
        == 0
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == len(list(folder.glob("*.txt")))
    assert all("findings" in line and "file" in line for line in lines)


def test_a_letter_before_the_first_mtus_is_audited_with_that_finding(
    mini_index: GuidelineIndex,
) -> None:
    backwards = citation(
        "MTUS Test Pain Physical Medicine Page(s): 99-98",
        "MTUS CPMTG",
        True,
        "Physical Medicine",
        "99-98",
    )
    reading = letter(
        item("Physical therapy x6", [backwards]),
        item("Acupuncture x6", [], rationale=NECESSARY, decision="Overturned"),
        on="2005-02-22",
    )
    found = audit(reading, mini_index)
    # Said once for the letter; the date-free checks still run; nothing is judged against an MTUS.
    assert kinds(found) == [
        (0, "no_mtus_in_force"),
        (1, "impossible_page_range"),
        (2, "no_citation"),
    ]
    assert found[0].severity == "error" and found[0].evidence == "ur_denial_date: 2005-02-22"
    assert "2007-06-15" in found[0].message


def test_a_date_given_before_the_first_mtus_is_that_finding_too(mini_index: GuidelineIndex) -> None:
    found = audit(letter(item("Physical therapy x6", [PM_2009])), mini_index, date(2003, 1, 1))
    assert kinds(found) == [(0, "no_mtus_in_force")]
    assert found[0].evidence == "date given: 2003-01-01"


def test_a_cached_resolver_given_is_the_one_used_and_finds_the_same(index: GuidelineIndex) -> None:
    determination = read_letter_file(
        Path(__file__).parent / "data" / "letters" / "synthetic-2014-pages.txt"
    )
    resolver = CachedResolver(index)
    assert audit(determination, index, resolver=resolver) == audit(determination, index)
    # The items were read through the resolver's steps, not resolved beside it.
    assert resolver.steps.reading.cache_info().currsize > 0


def test_a_search_sequence_finding_cites_the_rule_in_force_on_the_letters_date(
    index: GuidelineIndex, letters_dir: Path
) -> None:
    """The seed letter is of 2014: 8 CCR 9792.25 set the sequence then, not 9792.21.1 (2015)."""
    determination = read_letter_file(letters_dir / "imr-2014-lumbar-four-items.txt")
    messages = [f.message for f in audit(determination, index) if f.kind == "search_sequence"]
    assert messages and all("8 CCR 9792.25(a) (2009)" in m for m in messages)
    assert not any("9792.21.1" in m for m in messages)
