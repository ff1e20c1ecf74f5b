"""The letter audit: each defect found once, sound items left alone."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from guideline_kg.cli import main
from kg.audit import audit, rationale_verdict
from kg.index import GuidelineIndex
from kg.letters import (
    Case,
    Citation,
    Determination,
    Item,
    LetterDates,
    read_letter,
    read_letter_file,
)
from kg.resolve import CachedResolver, ResolveRequest, resolve

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


SYNTHETIC = Path(__file__).parent / "data" / "letters"


def _synthetic(name: str, index: GuidelineIndex) -> list:
    return audit(read_letter_file(SYNTHETIC / name), index)


def test_both_sides_are_checked_and_named(index: GuidelineIndex) -> None:
    found = _synthetic("synthetic-2017-both-sides.txt", index)
    assert sorted(kinds(found)) == [
        (1, "no_guideline_named"),
        (1, "postsurgical_without_surgery"),
        (1, "wrong_region"),
        (2, "rationale_near_copy"),
        (3, "no_guideline_named"),
        (3, "superseded_edition"),
    ]
    side = {(f.item, f.kind): f.message.split(" cites")[0] for f in found}
    assert side[(1, "wrong_region")] == "The claims administrator"
    assert side[(1, "postsurgical_without_surgery")] == "The claims administrator"
    assert side[(1, "no_guideline_named")] == "The reviewer"
    assert side[(3, "no_guideline_named")] == "The claims administrator"
    assert side[(3, "superseded_edition")] == "The claims administrator"
    evidence = {(f.item, f.kind): f.evidence for f in found}
    assert evidence[(1, "wrong_region")].startswith("Low Back Complaints 2004")
    assert evidence[(1, "no_guideline_named")].endswith("per the guidelines.")


def test_the_reviewer_side_region_check_still_names_the_reviewer(
    mini_index: GuidelineIndex,
) -> None:
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
    assert [f.message.split(" cites")[0] for f in found] == ["The reviewer"]


def test_the_claims_administrators_region_check(mini_index: GuidelineIndex) -> None:
    shoulder_pt = Item(
        heading="Physical therapy for the right shoulder",
        service="Physical therapy for the right shoulder",
        quantity=None,
        decision="Upheld",
        claims_administrator_citations=(
            citation(
                "MTUS Back Complaints Physical Methods Page(s): 210-212",
                "MTUS ACOEM",
                True,
                "Back Complaints, Physical Methods",
                "210-212",
            ),
        ),
        reviewer_citations=(PM_2009,),
        rationale_text=NOT_NECESSARY,
    )
    found = audit(letter(shoulder_pt, diagnoses=("shoulder pain",)), mini_index)
    assert kinds(found) == [(1, "wrong_region")]
    assert found[0].message.startswith("The claims administrator cites guidance for")


def test_a_denial_that_follows_a_denied_surgery_is_no_copy_and_needs_no_citation(
    index: GuidelineIndex,
) -> None:
    # Two associated services with one rationale and no citation of their own; the surgery item
    # cites post-surgical guidance, which a surgery in the letter makes apt.
    assert _synthetic("synthetic-2017-denied-surgery.txt", index) == []


def test_an_exact_copy_is_still_a_copy(mini_index: GuidelineIndex) -> None:
    same = "Six sessions were completed without any gain in function. " + NOT_NECESSARY
    found = audit(
        letter(
            item("Physical therapy x6", [PM_2009], rationale=same),
            item("Physical therapy x6 for the neck", [PM_2009], rationale=same),
        ),
        mini_index,
    )
    assert kinds(found) == [(2, "rationale_copied")]


def test_rationales_that_share_a_template_but_argue_each_item_are_no_copy(
    mini_index: GuidelineIndex,
) -> None:
    template = (
        "The synthetic guideline supports a brief course of supervised therapy when a home "
        "program has failed and measurable goals are set. {own} "
    )
    first = template.format(
        own="The notes describe a home program that keeps the low back stable, with no new "
        "deficit, and twelve visits were already given this year."
    )
    second = template.format(
        own="For the neck the notes record a new radiating pain after a fall last month, but "
        "the examination finds full strength and the imaging ordered is still pending."
    )
    found = audit(
        letter(
            item("Physical therapy x6", [PM_2009], rationale=first + NOT_NECESSARY),
            item("Physical therapy x6 for the neck", [PM_2009], rationale=second + NOT_NECESSARY),
        ),
        mini_index,
    )
    assert kinds(found) == []


def test_a_chronic_pain_section_is_not_held_against_an_acute_case(index: GuidelineIndex) -> None:
    acute = read_letter_file(SYNTHETIC / "synthetic-2017-search-sequence.txt")
    assert kinds(audit(acute, index)) == []
    # The same letter for an injury of 2015: the pain is chronic, the CPMTG section addresses the
    # patch itself, and deciding on ODG alone skips the MTUS.
    chronic = replace(acute, case=replace(acute.case, date_of_injury="2015-03-02"))
    found = audit(chronic, index)
    assert kinds(found) == [(1, "search_sequence")]
    assert "Lidoderm" in found[0].message


def test_a_fuzzy_reading_of_the_service_is_no_ground_for_a_search_error(
    mini_index: GuidelineIndex,
) -> None:
    odg = citation("Non-MTUS Citation ODG Pain Chapter", "ODG", False, "Pain Chapter")
    assert kinds(audit(letter(item("Physical therapy x6", [odg])), mini_index)) == [
        (1, "search_sequence")
    ]
    # The misspelt service is read as physical therapy only by a fuzzy guess.
    assert kinds(audit(letter(item("Physcial therapy", [odg])), mini_index)) == []


def test_a_section_on_a_whole_service_category_is_no_ground_for_a_search_error(
    index: GuidelineIndex,
) -> None:
    service = "Buspirone 10mg #60"
    odg = citation(
        "Non-MTUS Citation ODG Mental Illness & Stress Chapter",
        "ODG",
        False,
        "Mental Illness & Stress Chapter",
    )
    # The MTUS speaks of medications in general, not of this drug: the resolver finds the MTUS
    # silent (issue 14: a category link never governs), and the audit must not accuse the letter.
    (answer,) = resolve(
        ResolveRequest.parse(
            on=date(2014, 2, 1),
            services=[service],
            diagnoses=["low back pain"],
            facts={"date_of_injury": "2012-01-01"},
            today=date(2026, 1, 1),
        ),
        index,
    )
    assert answer.governing is None or not answer.governing.mtus
    found = audit(
        letter(item(service, [odg], rationale="Buspirone is not indicated. " + NOT_NECESSARY)),
        index,
    )
    assert "search_sequence" not in {k for _, k in kinds(found)}


@pytest.mark.parametrize(
    ("guideline", "topic", "unnamed"),
    [
        (None, None, True),
        ("Other", "per guidelines", True),
        ("Other", "Per the Guidelines", True),
        ("Other", "evidence-based medical treatment guidelines", True),
        ("Other", "Physical therapy", True),  # a bare treatment or section name
        ("Other", "UpToDate, low back pain treatment", False),
        ("Other", "https://www.example.org/policy/123.html", False),
        ("ODG", None, False),
    ],
)
def test_a_source_that_names_no_guideline(
    mini_index: GuidelineIndex, guideline: str | None, topic: str | None, unnamed: bool
) -> None:
    cited = Citation(f"Decision based on Non-MTUS Citation {topic}.", False, guideline, topic)
    reading = letter(item("Physical therapy x6", [PM_2009, cited]))
    found = [f for f in audit(reading, mini_index) if f.kind == "no_guideline_named"]
    assert [(f.item, f.evidence) for f in found] == ([(1, cited.text)] if unnamed else [])


def test_a_guideline_line_that_only_says_per_guidelines(index: GuidelineIndex) -> None:
    text = (SYNTHETIC / "synthetic-2017-both-sides.txt").read_text(encoding="utf-8")
    line = "Claims Administrator guideline: Decision based on MTUS Shoulder Complaints 2004.\n"
    assert text.count(line) == 1
    reading = read_letter(text.replace(line, "Claims Administrator guideline: per guidelines\n"))
    found = [f for f in audit(reading, index) if f.kind == "no_guideline_named"]
    assert [(f.item, f.message.split(" cites")[0], f.evidence) for f in found] == [
        (1, "The reviewer", "Decision based on Non-MTUS Citation per the guidelines."),
        (2, "The claims administrator", "per guidelines"),
        (3, "The claims administrator", "Decision based on Non-MTUS Citation Topical analgesics."),
    ]


def test_a_side_that_also_cites_the_right_region_is_not_accused(index: GuidelineIndex) -> None:
    text = (SYNTHETIC / "synthetic-2017-both-sides.txt").read_text(encoding="utf-8")
    line = (
        "Physical Methods, and Postsurgical Treatment 2009, Section(s): Initial course of therapy."
    )
    assert text.count(line) == 1
    # The claims administrator cites the low back chapter and the shoulder's own as well.
    both = text.replace(
        line, "Physical Methods, and Shoulder Complaints 2004, Section(s): Physical Methods."
    )
    found = kinds(audit(read_letter(both), index))
    assert (1, "wrong_region") not in found
    assert (1, "wrong_region") in kinds(audit(read_letter(text), index))


def test_a_limb_named_without_a_joint_takes_the_guidance_of_any_of_its_regions(
    index: GuidelineIndex,
) -> None:
    def odg(chapter: str) -> Citation:
        return citation(
            f"Non-MTUS Citation ODG {chapter} Chapter", "ODG", False, f"{chapter} Chapter"
        )

    def regions_found(chapter: str) -> list[tuple[int, str]]:
        emg = item("EMG of the left upper extremity", [odg(chapter)], rationale=NOT_NECESSARY)
        found = audit(letter(emg, on="2017-01-15", diagnoses=("neck pain",)), index)
        return [k for k in kinds(found) if k[1] == "wrong_region"]

    assert regions_found("Forearm, Wrist & Hand") == []
    assert regions_found("Neck and Upper Back") == []
    assert regions_found("Knee") == [(1, "wrong_region")]


def test_a_search_error_resting_on_an_unverified_section_says_so(index: GuidelineIndex) -> None:
    odg = citation(
        "Non-MTUS Citation ODG Pain Chapter, Benzodiazepines",
        "ODG",
        False,
        "Pain Chapter, Benzodiazepines",
    )
    diazepam = item(
        "Diazepam 5mg #30", [odg], rationale="Diazepam is not indicated. " + NOT_NECESSARY
    )
    (found,) = audit(letter(diazepam, on="2017-01-15"), index)
    assert found.kind == "search_sequence" and "Benzodiazepines" in found.message
    assert "unverified" in found.message  # the graph's CPMTG 2016 row is marked U
    lidocaine = read_letter_file(SYNTHETIC / "synthetic-2017-search-sequence.txt")
    chronic = replace(lidocaine, case=replace(lidocaine.case, date_of_injury="2015-03-02"))
    (seen,) = audit(chronic, index)
    assert "unverified" not in seen.message  # that row is known from letters
