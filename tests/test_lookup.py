"""kg.lookup: search ranking, pages, section filters, documents on a date, formulary status,
comparison and neighbourhood, on the small test graph (exact) and the shipped graph (content)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import pytest

from kg import lookup
from kg.errors import InputError
from kg.index import GuidelineIndex

TODAY = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        pytest.param("flexeril", "tx:cyclobenzaprine", id="brand-name"),
        pytest.param("Flexeril", "tx:cyclobenzaprine", id="case-blind"),
        pytest.param("cyclobenzaprin", "tx:cyclobenzaprine", id="typo-fuzzy"),
        pytest.param("PT", "tx:physical-therapy", id="abbreviation"),
        pytest.param("physio", "tx:physical-therapy", id="prefix-of-synonym"),
        pytest.param("relaxants", "tx:muscle-relaxants", id="word-inside"),
    ],
)
def test_treatment_search_ranks_the_expected_treatment_first(
    mini_index: GuidelineIndex, query: str, first: str
) -> None:
    assert lookup.search_treatments(mini_index, query)[0] == first


def test_exact_alias_ranks_before_prefix_and_fuzzy() -> None:
    names = {"pt": ("tx:pt",), "ptx": ("tx:ptx",), "apt": ("tx:apt",)}
    labels = {"tx:pt": "pt", "tx:ptx": "ptx", "tx:apt": "apt"}
    assert lookup.rank_names("pt", names, labels)[:2] == ["tx:pt", "tx:ptx"]


def test_an_empty_search_lists_everything_by_label(mini_index: GuidelineIndex) -> None:
    ids = lookup.search_treatments(mini_index, "")
    assert len(ids) == len(mini_index.treatments)
    labels = [mini_index.treatments[i].label.casefold() for i in ids]
    assert labels == sorted(labels)


def test_nonsense_finds_nothing(mini_index: GuidelineIndex) -> None:
    assert lookup.search_treatments(mini_index, "zzqxv") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("M54.5", ["cond:M54.5", "cond:M54.50"], id="exact-code-then-children"),
        pytest.param("m545", ["cond:M54.5", "cond:M54.50"], id="code-without-dot"),
        pytest.param("M54", ["cond:M54.5", "cond:M54.50"], id="code-prefix"),
        pytest.param("729.1", ["cond:M79.1"], id="icd9"),
        pytest.param("myalgia", ["cond:M79.1"], id="label"),
    ],
)
def test_condition_search(mini_index: GuidelineIndex, query: str, expected: list[str]) -> None:
    assert lookup.search_conditions(mini_index, query)[: len(expected)] == expected


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("M54.5", "cond:M54.5"),
        ("m5450", "cond:M54.50"),
        ("729.1", "cond:M79.1"),
        ("cond:M79.1", "cond:M79.1"),
        ("Z99.9", None),
    ],
)
def test_find_condition(mini_index: GuidelineIndex, code: str, found: str | None) -> None:
    assert lookup.find_condition(mini_index, code) == found


def test_pages_follow_each_other_without_gaps() -> None:
    ids = [f"x{i}" for i in range(7)]
    one = lookup.page(ids, 3)
    two = lookup.page(ids, 3, one.end_cursor)
    three = lookup.page(ids, 3, two.end_cursor)
    assert [i for p in (one, two, three) for _, i in p.items] == ids
    assert (one.has_next, two.has_next, three.has_next) == (True, True, False)
    assert one.total == 7
    assert lookup.page(ids, 0).items == () and lookup.page(ids, 0).end_cursor is None


@pytest.mark.parametrize(
    ("first", "after"), [(-1, None), (101, None), (5, "not-a-cursor"), (5, "b2Zm")]
)
def test_bad_page_arguments_are_input_errors(first: int, after: str | None) -> None:
    with pytest.raises(InputError):
        lookup.page(["a"], first, after)


def test_sections_for_a_treatment_include_its_ancestors(mini_index: GuidelineIndex) -> None:
    found = lookup.filter_sections(mini_index, lookup.SectionFilter(treatment="tx:cyclobenzaprine"))
    assert found == ["sec:pain-2009-cyclobenzaprine", "sec:pain-2009-relaxants"]


def test_sections_by_guideline_label_are_judged_on_the_date(mini_index: GuidelineIndex) -> None:
    def by(guideline: str, on: date | None) -> set[str]:
        return set(
            lookup.filter_sections(mini_index, lookup.SectionFilter(guideline=guideline, as_of=on))
        )

    assert by("MTUS CPMTG", date(2013, 1, 1)) == {
        "sec:pain-2009-physical-medicine",
        "sec:pain-2009-relaxants",
        "sec:pain-2009-cyclobenzaprine",
    }
    assert by("MTUS CPMTG", date(2017, 1, 1)) == {"sec:pain-2016-physical-medicine"}
    assert by("odg", None) == {"sec:odg-back-pt"}
    assert by("MTUS", date(2013, 1, 1)) >= {
        "sec:book-ch12-physical",
        "sec:pain-2009-physical-medicine",
    }
    assert by("MTUS", date(2019, 1, 1)) == set()


def test_section_filters_combine(mini_index: GuidelineIndex) -> None:
    f = lookup.SectionFilter(
        treatment="tx:physical-therapy", document="doc:book-ch12", search="physical"
    )
    assert lookup.filter_sections(mini_index, f) == ["sec:book-ch12-physical"]
    assert lookup.filter_sections(mini_index, lookup.SectionFilter(condition="cond:M54.50")) == []


def test_section_search_ranks_exact_title_first(mini_index: GuidelineIndex) -> None:
    found = lookup.filter_sections(mini_index, lookup.SectionFilter(search="physical medicine"))
    assert found[0] == "sec:pain-2009-physical-medicine"


def test_documents_on_a_date_follow_the_resolver(mini_index: GuidelineIndex) -> None:
    assert set(lookup.documents_as_of(mini_index, date(2013, 1, 1))) == {
        "doc:pain-2009",
        "doc:book-ch12",
        "doc:book-ch7",
        "doc:odg-back",
    }
    assert "doc:pain-2009" not in lookup.documents_as_of(mini_index, date(2017, 1, 1))
    assert len(lookup.documents_as_of(mini_index, None)) == len(mini_index.documents)
    assert lookup.mtus_label(mini_index, "doc:book-ch12", date(2013, 1, 1)) == "MTUS ACOEM"
    assert lookup.mtus_label(mini_index, "doc:book-ch12", date(2018, 1, 1)) is None


def test_formulary_status_is_never_guessed(mini_index: GuidelineIndex) -> None:
    found = lookup.formulary_status(mini_index, "tx:cyclobenzaprine", date(2019, 1, 1))
    assert isinstance(found, lookup.FormularyFound) and found.entry.status == "NonExempt"
    assert found.list_version is not None and found.list_version.version == "1"
    before = lookup.formulary_status(mini_index, "tx:cyclobenzaprine", date(2017, 12, 31))
    assert isinstance(before, lookup.FormularyNotKnown) and "not known" in before.message
    no_entry = lookup.formulary_status(mini_index, "tx:muscle-relaxants", date(2019, 1, 1))
    assert isinstance(no_entry, lookup.FormularyNotKnown)
    not_a_drug = lookup.formulary_status(mini_index, "tx:physical-therapy", date(2019, 1, 1))
    assert isinstance(not_a_drug, lookup.DrugNotFound)
    unknown = lookup.formulary_status(mini_index, "tx:flexeril", date(2019, 1, 1))
    assert isinstance(unknown, lookup.DrugNotFound) and unknown.suggestions == (
        "tx:cyclobenzaprine",
    )


def test_compare_puts_mtus_acoem_and_odg_side_by_side(mini_index: GuidelineIndex) -> None:
    c = lookup.compare(mini_index, "tx:physical-therapy", "M54.5", date(2016, 1, 5), today=TODAY)
    assert [g.source for g in c.guidance] == ["MTUS", "ACOEM", "ODG"]
    mtus, acoem, odg = c.guidance
    assert (
        mtus.governs
        and mtus.citation
        and mtus.citation.section_id == "sec:pain-2009-physical-medicine"
    )
    assert mtus.criteria and c.governing == mtus.citation
    assert (
        acoem.citation
        and acoem.citation.section_id == "sec:book-ch12-physical"
        and not acoem.governs
    )
    assert odg.citation and odg.citation.guideline == "ODG" and not odg.governs
    assert c.outcome == "RESOLVED" and c.trace


def test_compare_after_the_mtus_left_the_chapters(mini_index: GuidelineIndex) -> None:
    c = lookup.compare(mini_index, "tx:physical-therapy", None, date(2018, 3, 1), today=TODAY)
    mtus, acoem, odg = c.guidance
    assert mtus.citation is None and acoem.citation is None
    assert odg.governs and odg.citation and not odg.citation.mtus


def test_compare_with_a_bad_date_or_id_answers_with_problems(mini_index: GuidelineIndex) -> None:
    early = lookup.compare(mini_index, "tx:physical-therapy", None, date(2006, 1, 1), today=TODAY)
    assert (
        early.problems and all(g.citation is None for g in early.guidance) and early.outcome is None
    )
    unknown = lookup.compare(mini_index, "tx:nothing", None, date(2013, 1, 1), today=TODAY)
    assert unknown.treatment_id is None and unknown.problems


def test_neighbourhood_of_a_treatment(mini_index: GuidelineIndex) -> None:
    n = lookup.neighbourhood(mini_index, "tx:physical-therapy")
    assert n is not None and n.nodes[0].id == "tx:physical-therapy"
    kinds = {x.kind for x in n.nodes}
    assert kinds == {"treatment", "section", "document"}
    ids = {x.id for x in n.nodes}
    assert all(e.source in ids and e.target in ids for e in n.edges)
    assert ("sec:odg-back-pt", "tx:physical-therapy", "addresses") in {
        (e.source, e.target, e.relation) for e in n.edges
    }


def test_neighbourhood_of_a_section_and_a_condition_and_the_limit(
    mini_index: GuidelineIndex,
) -> None:
    section = lookup.neighbourhood(mini_index, "sec:pain-2009-cyclobenzaprine")
    assert section is not None
    assert {e.relation for e in section.edges} == {"in_document", "parent_section", "addresses"}
    condition = lookup.neighbourhood(mini_index, "cond:M54.5")
    assert condition is not None and {x.id for x in condition.nodes} == {
        "cond:M54.5",
        "cond:M54.50",
    }
    small = lookup.neighbourhood(mini_index, "tx:physical-therapy", limit=3)
    assert small is not None and len(small.nodes) == 3 and small.truncated
    assert lookup.neighbourhood(mini_index, "doc:pain-2009") is None


def test_on_the_shipped_graph_neighbourhoods_stay_small(index: GuidelineIndex) -> None:
    for node in [
        *list(index.treatments)[:50],
        *list(index.sections)[:50],
        *list(index.conditions)[:50],
    ]:
        n = lookup.neighbourhood(index, node)
        assert n is not None and len(n.nodes) <= lookup.MAX_NEIGHBOURS


def test_on_the_shipped_graph_flexeril_finds_cyclobenzaprine(index: GuidelineIndex) -> None:
    assert lookup.search_treatments(index, "flexeril")[0] == "tx:cyclobenzaprine"


def test_on_the_shipped_graph_every_section_filter_result_is_a_section(
    index: GuidelineIndex,
) -> None:
    for treatment in list(index.treatments)[:30]:
        found = lookup.filter_sections(
            index, lookup.SectionFilter(treatment=treatment, as_of=date(2013, 12, 10))
        )
        assert all(s in index.sections for s in found)


def test_filter_fields_are_all_optional() -> None:
    assert all(f.default is None for f in fields(lookup.SectionFilter))
