"""The resolver's rules on the small test graph (tests/data/graph): sequence, dates, criteria."""

from __future__ import annotations

from datetime import date

import pytest

from kg.errors import InputError
from kg.index import GuidelineIndex
from kg.resolve import ResolveRequest, ServiceResolution, resolve

TODAY = date(2026, 1, 1)


def one(
    index: GuidelineIndex, service: str, on: str, diagnoses: tuple[str, ...] = (), **facts: object
) -> ServiceResolution:
    request = ResolveRequest.parse(
        on=on, services=[service], diagnoses=list(diagnoses), facts=facts, today=TODAY
    )
    return resolve(request, index)[0]


def test_the_mtus_governs_before_acoem_and_odg(mini_index: GuidelineIndex) -> None:
    result = one(mini_index, "PHYSICAL THERAPY X6", "2013-12-10", ("low back pain",))
    assert result.outcome.value == "RESOLVED"
    assert result.governing is not None and result.governing.guideline == "MTUS CPMTG"
    assert result.governing.text == "MTUS Test Pain Guidelines (2009), Physical Medicine, pp. 98-99"
    labels = [c.guideline for c in result.candidates]
    assert labels.index("ODG") > labels.index("MTUS CPMTG")
    assert all(c.mtus for c in result.candidates[: labels.count("MTUS CPMTG")])


def test_the_date_picks_the_edition_in_force(mini_index: GuidelineIndex) -> None:
    before = one(mini_index, "physical therapy", "2016-07-27")
    after = one(mini_index, "physical therapy", "2016-07-28")
    assert before.governing and before.governing.document_id == "doc:pain-2009"
    assert after.governing and after.governing.document_id == "doc:pain-2016"
    assert (
        after.governing.text
        == "MTUS Test Pain Treatment 2016, Section(s): Physical medicine treatment"
    )


def test_where_the_mtus_is_silent_odg_governs_as_non_mtus(mini_index: GuidelineIndex) -> None:
    result = one(mini_index, "physical therapy", "2018-03-01", ("M54.5",))
    assert result.governing is not None
    assert (result.governing.guideline, result.governing.mtus, result.governing.evidence_step) == (
        "ODG",
        False,
        2,
    )
    assert result.governing.text.startswith("Non-MTUS: ")


def test_phase_decides_between_the_chronic_guideline_and_the_body_part_chapter(
    mini_index: GuidelineIndex,
) -> None:
    acute = one(
        mini_index,
        "physical therapy",
        "2013-12-10",
        ("low back pain",),
        date_of_injury="2013-11-20",
    )
    chronic = one(
        mini_index,
        "physical therapy",
        "2013-12-10",
        ("low back pain",),
        date_of_injury="2012-05-31",
    )
    assert acute.governing and acute.governing.section == "Physical Methods"
    assert chronic.governing and chronic.governing.section == "Physical Medicine"


def test_the_specific_section_comes_before_the_general(mini_index: GuidelineIndex) -> None:
    result = one(mini_index, "Flexeril 7.5mg #60", "2013-12-10")
    assert [c.section for c in result.candidates[:2]] == ["Cyclobenzaprine", "Muscle relaxants"]
    assert result.quantity == 60


def test_a_never_adopted_chapter_ranks_after_the_mtus_chapter(mini_index: GuidelineIndex) -> None:
    result = one(mini_index, "SPINE SURGERY CONSULTATION", "2013-12-10", ("low back pain",))
    assert result.governing and result.governing.guideline == "MTUS ACOEM"
    referral = [c for c in result.candidates if c.section == "Referral"]
    assert referral and referral[0].guideline == "ACOEM" and not referral[0].mtus
    assert (
        referral[0].text
        == "Non-MTUS: Test Practice Guidelines, 2nd Ed. (2004), Ch. 7 Consultations, Referral, p. 127"
    )


def test_criteria_are_evaluated_against_the_facts(mini_index: GuidelineIndex) -> None:
    known = one(
        mini_index,
        "physical therapy x6",
        "2013-12-10",
        ("myalgia",),
        visits_received=2,
        functional_improvement=True,
    )
    statuses = {c.id: c.status.value for c in known.criteria}
    assert statuses == {"crit:pm-myalgia": "MET", "crit:pm-function": "MET", "crit:cap-pt": "MET"}
    over = one(
        mini_index,
        "physical therapy x6",
        "2013-12-10",
        ("myalgia",),
        visits_received=8,
        functional_improvement=False,
    )
    assert {c.id: c.status.value for c in over.criteria} == {
        "crit:pm-myalgia": "NOT_MET",
        "crit:pm-function": "NOT_MET",
        "crit:cap-pt": "MET",
    }
    unknown = one(mini_index, "physical therapy x6", "2013-12-10", ("myalgia",))
    needs = {c.id: c.needs for c in unknown.criteria}
    assert needs["crit:pm-myalgia"] == ("visits_received",)
    assert needs["crit:pm-function"] == ("functional_improvement",)


def test_the_visit_cap_binds_unless_post_surgical(mini_index: GuidelineIndex) -> None:
    capped = one(mini_index, "physical therapy x6", "2013-12-10", visits_received=20)
    assert {c.id: c.status.value for c in capped.criteria}["crit:cap-pt"] == "NOT_MET"
    post = one(
        mini_index, "physical therapy x6", "2013-12-10", visits_received=20, phase="postsurgical"
    )
    assert "crit:cap-pt" not in {c.id for c in post.criteria}


def test_logic_groups_combine_their_members(mini_index: GuidelineIndex) -> None:
    both = one(
        mini_index,
        "surgical consultation",
        "2013-12-10",
        ("low back pain",),
        failed_conservative_care=True,
        corroborated_radiculopathy=True,
    )
    half = one(
        mini_index,
        "surgical consultation",
        "2013-12-10",
        ("low back pain",),
        failed_conservative_care=True,
    )
    none = one(
        mini_index,
        "surgical consultation",
        "2013-12-10",
        ("low back pain",),
        failed_conservative_care=False,
    )
    assert [c.status.value for c in both.criteria] == ["MET"]
    assert [(c.status.value, c.needs) for c in half.criteria] == [
        ("INSUFFICIENT_INFORMATION", ("corroborated_radiculopathy",))
    ]
    assert [c.status.value for c in none.criteria] == ["NOT_MET"]


def test_an_unknown_service_is_an_outcome(mini_index: GuidelineIndex) -> None:
    result = one(mini_index, "quantum healing crystals", "2013-12-10")
    assert (
        result.outcome.value == "UNKNOWN_SERVICE" and result.governing is None and result.problems
    )


def test_a_misspelt_service_is_matched_fuzzily(mini_index: GuidelineIndex) -> None:
    result = one(mini_index, "cyclobenzaprin", "2013-12-10")
    assert result.treatment and result.treatment.id == "tx:cyclobenzaprine"


def test_a_known_treatment_nobody_addresses_is_not_addressed(mini_index: GuidelineIndex) -> None:
    result = one(mini_index, "hearing aids", "2013-12-10")
    assert result.outcome.value == "NOT_ADDRESSED" and result.treatment is not None


def test_a_retired_code_is_a_problem_and_the_rest_resolves(mini_index: GuidelineIndex) -> None:
    result = one(mini_index, "physical therapy", "2022-01-05", ("M54.5", "Z99.999"))
    assert any("retired" in p and "M54.50" in p for p in result.problems)
    assert any("Z99.999" in p for p in result.problems)
    assert result.outcome.value == "RESOLVED"


@pytest.mark.parametrize("on", ["2007-06-14", "2013-02-30", "12/10/2013", "", "2999-01-01"])
def test_bad_dates_are_input_errors(on: str) -> None:
    with pytest.raises(InputError):
        ResolveRequest.parse(on=on, services=["PT"], today=TODAY)


@pytest.mark.parametrize(
    "facts",
    [
        {"visits_received": "many"},
        {"no_such_fact": 1},
        {"phase": "eternal"},
        {"functional_improvement": "perhaps"},
    ],
)
def test_bad_facts_are_input_errors(facts: dict[str, object]) -> None:
    with pytest.raises(InputError):
        ResolveRequest.parse(on="2013-12-10", services=["PT"], facts=facts, today=TODAY)


def test_services_come_back_one_each_in_order(mini_index: GuidelineIndex) -> None:
    services = ["PT", "Flexeril", "nonsense words", "PT"]
    request = ResolveRequest.parse(on="2013-12-10", services=services, today=TODAY)
    assert [r.request for r in resolve(request, mini_index)] == services


def test_a_topical_form_is_a_relation_of_the_graph_not_a_name(index: GuidelineIndex) -> None:
    """gl:topicalForm leads from a drug to the same drug applied to the skin; nothing is read from
    ids."""
    ketoprofen = index.treatments["tx:ketoprofen"]
    assert ketoprofen.topical_form == "tx:ketoprofen-topical"
    forms = {t.id: t.topical_form for t in index.treatments.values() if t.topical_form}
    assert all(form in index.treatments and form != drug for drug, form in forms.items())
