"""The GraphQL schema driven in process (`schema.execute_sync`): exact answers on the small test
graph, content checks on the shipped graph (which holds the seed letters' treatments)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from graphql_api.context import Context
from graphql_api.schema import schema
from kg.index import GuidelineIndex

TODAY = date(2026, 1, 1)
LOADED = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

RESOLVE = """
query Resolve($input: ResolveInput!) {
  resolve(input: $input) {
    __typename
    ... on ResolveSuccess {
      services {
        request outcome quantity phase bodyRegions problems trace
        treatment { id label }
        suggestions { id }
        governing {
          guideline mtus document edition chapter section pages text evidenceStep recommendation
          guidelineSection { id title pageStart pageEnd criteria { id kind } }
          guidelineDocument { id isMtus mtusLabel asOf }
        }
        candidates { guideline text mtus }
        criteria { id text status needs criterion { kind } }
      }
    }
    ... on InvalidInput { message field }
  }
}
"""


def run(
    index: GuidelineIndex, query: str, max_services: int = 2000, **variables: Any
) -> dict[str, Any]:
    result = schema.execute_sync(
        query, variable_values=variables, context_value=Context(index, TODAY, LOADED, max_services)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def resolve(index: GuidelineIndex, max_services: int = 2000, **request: Any) -> dict[str, Any]:
    request.setdefault("diagnoses", [])
    return run(index, RESOLVE, max_services, input=request)["resolve"]


def test_pt_x6_is_governed_by_the_page_cited_physical_medicine_section(
    mini_index: GuidelineIndex,
) -> None:
    answer = resolve(
        mini_index, date="2013-12-10", diagnoses=["low back pain"], services=[{"text": "PT x6"}]
    )
    assert answer["__typename"] == "ResolveSuccess"
    pt = answer["services"][0]
    assert (pt["outcome"], pt["quantity"], pt["phase"]) == ("RESOLVED", 6, "CHRONIC")
    assert pt["treatment"] == {"id": "tx:physical-therapy", "label": "physical therapy"}
    governing = pt["governing"]
    assert governing["text"] == "MTUS Test Pain Guidelines (2009), Physical Medicine, pp. 98-99"
    assert (governing["guideline"], governing["pages"], governing["evidenceStep"]) == (
        "MTUS CPMTG",
        "98-99",
        1,
    )
    assert governing["recommendation"] == "RECOMMENDED_WITH_CONDITIONS"
    assert governing["guidelineSection"]["id"] == "sec:pain-2009-physical-medicine"
    assert governing["guidelineDocument"] == {
        "id": "doc:pain-2009",
        "isMtus": True,
        "mtusLabel": "MTUS CPMTG",
        "asOf": "2013-12-10",
    }
    assert [c["guideline"] for c in pt["candidates"]] == ["MTUS CPMTG", "MTUS ACOEM", "ODG"]
    assert {c["id"]: c["status"] for c in pt["criteria"]} == {
        "crit:pm-function": "INSUFFICIENT_INFORMATION",
        "crit:pm-myalgia": "INSUFFICIENT_INFORMATION",
        "crit:cap-pt": "INSUFFICIENT_INFORMATION",
    }
    assert pt["trace"][0].startswith("Service: treatment physical therapy")


def test_facts_are_typed_and_decide_criteria(mini_index: GuidelineIndex) -> None:
    answer = resolve(
        mini_index,
        date="2013-12-10",
        diagnoses=["myalgia"],
        services=[{"text": "physical therapy x6"}],
        facts={"visitsReceived": 2, "functionalImprovement": True, "phase": "CHRONIC"},
    )
    criteria = answer["services"][0]["criteria"]
    assert {c["id"]: c["status"] for c in criteria} == {
        "crit:pm-myalgia": "MET",
        "crit:pm-function": "MET",
        "crit:cap-pt": "MET",
    }
    post = resolve(
        mini_index,
        date="2013-12-10",
        services=[{"text": "physical therapy x6"}],
        facts={"phase": "POST_SURGICAL", "visitsReceived": 30},
    )
    assert post["services"][0]["phase"] == "POST_SURGICAL"
    assert "crit:cap-pt" not in {c["id"] for c in post["services"][0]["criteria"]}


def test_corroborated_radiculopathy_and_failed_care_feed_a_group(
    mini_index: GuidelineIndex,
) -> None:
    answer = resolve(
        mini_index,
        date="2013-12-10",
        diagnoses=["low back pain"],
        services=[{"text": "surgical consultation"}],
        facts={"failedConservativeCare": True, "corroboratedRadiculopathy": True},
    )
    assert [c["status"] for c in answer["services"][0]["criteria"]] == ["MET"]


def test_outcomes_are_data_and_services_keep_their_order(mini_index: GuidelineIndex) -> None:
    answer = resolve(
        mini_index,
        date="2013-12-10",
        services=[
            {"text": "quantum healing crystals"},
            {"text": "hearing aids"},
            {"text": "x", "treatmentId": "tx:cyclobenzaprine"},
            {"text": "PT", "quantity": 12},
        ],
    )
    services = answer["services"]
    assert [s["outcome"] for s in services] == [
        "UNKNOWN_SERVICE",
        "NOT_ADDRESSED",
        "RESOLVED",
        "RESOLVED",
    ]
    assert services[0]["governing"] is None and services[0]["problems"]
    assert services[2]["treatment"]["id"] == "tx:cyclobenzaprine"
    assert services[3]["quantity"] == 12


def test_a_misspelling_suggests_treatments(mini_index: GuidelineIndex) -> None:
    answer = resolve(mini_index, date="2013-12-10", services=[{"text": "muscle relaxers"}])
    service = answer["services"][0]
    assert service["outcome"] == "UNKNOWN_SERVICE" and service["treatment"] is None
    assert service["suggestions"] == [{"id": "tx:muscle-relaxants"}]


@pytest.mark.parametrize(
    ("request_date", "field"),
    [
        pytest.param("2007-06-14", "date", id="before-the-first-mtus"),
        pytest.param("2026-01-02", "date", id="future"),
    ],
)
def test_bad_dates_are_invalid_input(
    mini_index: GuidelineIndex, request_date: str, field: str
) -> None:
    answer = resolve(mini_index, date=request_date, services=[{"text": "PT"}])
    assert answer["__typename"] == "InvalidInput" and answer["field"] == field and answer["message"]


def test_too_many_services_and_bad_facts_are_invalid_input(mini_index: GuidelineIndex) -> None:
    many = resolve(mini_index, max_services=3, date="2013-12-10", services=[{"text": "PT"}] * 4)
    assert many["__typename"] == "InvalidInput" and many["field"] == "services"
    assert resolve(mini_index, date="2013-12-10", services=[])["__typename"] == "InvalidInput"
    facts = resolve(
        mini_index, date="2013-12-10", services=[{"text": "PT"}], facts={"visitsReceived": -1}
    )
    assert facts == {
        "__typename": "InvalidInput",
        "field": "facts",
        "message": "fact 'visits_received' must be a whole number between 0 and 100000",
    }


def test_a_malformed_date_is_a_graphql_error_not_a_crash(mini_index: GuidelineIndex) -> None:
    result = schema.execute_sync(
        RESOLVE,
        variable_values={
            "input": {"date": "12/10/2013", "diagnoses": [], "services": [{"text": "PT"}]}
        },
        context_value=Context(mini_index, TODAY, LOADED),
    )
    assert result.errors and result.data is None


TREATMENTS = """
query($search: String, $first: Int = 20, $after: String) {
  treatments(search: $search, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id label brandNames kind broader { id } narrower { id } sections { id }
                          formularyEntries { status listVersion effectiveFrom } } }
  }
}
"""


def test_flexeril_finds_cyclobenzaprine_first(mini_index: GuidelineIndex) -> None:
    found = run(mini_index, TREATMENTS, search="flexeril")["treatments"]
    node = found["edges"][0]["node"]
    assert node["id"] == "tx:cyclobenzaprine" and node["brandNames"] == ["Flexeril"]
    assert node["broader"] == [{"id": "tx:muscle-relaxants"}]
    assert node["sections"] == [{"id": "sec:pain-2009-cyclobenzaprine"}]
    assert node["formularyEntries"] == [
        {"status": "NON_EXEMPT", "listVersion": "1", "effectiveFrom": "2018-01-01"}
    ]


def test_treatments_page_through_everything(mini_index: GuidelineIndex) -> None:
    seen, after = [], None
    while True:
        page = run(mini_index, TREATMENTS, first=4, after=after)["treatments"]
        seen += [e["node"]["id"] for e in page["edges"]]
        assert page["totalCount"] == len(mini_index.treatments)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(mini_index.treatments)


def test_a_bad_cursor_is_an_error_with_a_message(mini_index: GuidelineIndex) -> None:
    result = schema.execute_sync(
        '{ treatments(after: "nope") { totalCount } }',
        context_value=Context(mini_index, TODAY, LOADED),
    )
    assert result.errors and "cursor" in result.errors[0].message


def test_lookups_by_id_are_nullable(mini_index: GuidelineIndex) -> None:
    data = run(
        mini_index,
        '{ treatment(id: "tx:nothing") { id } section(id: "sec:nothing") { id } '
        'condition(code: "Z99.99") { id } neighbourhood(id: "nothing") { center } }',
    )
    assert data == {"treatment": None, "section": None, "condition": None, "neighbourhood": None}


def test_conditions_by_code_and_search(mini_index: GuidelineIndex) -> None:
    data = run(
        mini_index,
        """{
      condition(code: "m5450") { id code label validFrom broader { id } }
      old: condition(code: "M54.5") { validUntil replacedBy { code } narrower { id } }
      icd9: condition(code: "729.1") { id icd9Codes }
      conditions(search: "M54") { totalCount edges { node { id } } }
    }""",
    )
    assert data["condition"] == {
        "id": "cond:M54.50",
        "code": "M54.50",
        "label": "Low back pain, unspecified",
        "validFrom": "2021-10-01",
        "broader": [{"id": "cond:M54.5"}],
    }
    assert data["old"] == {
        "validUntil": "2021-10-01",
        "replacedBy": [{"code": "M54.50"}],
        "narrower": [{"id": "cond:M54.50"}],
    }
    assert data["icd9"] == {"id": "cond:M79.1", "icd9Codes": ["729.1"]}
    assert [e["node"]["id"] for e in data["conditions"]["edges"]] == ["cond:M54.5", "cond:M54.50"]


def test_a_section_with_its_links(mini_index: GuidelineIndex) -> None:
    data = run(
        mini_index,
        """{ section(id: "sec:pain-2009-cyclobenzaprine") {
      title pages pageStart pageEnd phases recommendation bodyRegions sources confidence citedInLetters
      parent { id } document { id citeStyle letterTitle } addresses { id } appliesTo { id }
      criteria { id kind text maxWeeks members { id } }
    } }""",
    )["section"]
    assert (
        data["title"] == "Cyclobenzaprine"
        and data["pages"] == "41-42"
        and data["phases"] == ["CHRONIC"]
    )
    assert data["parent"] == {"id": "sec:pain-2009-relaxants"}
    assert data["document"] == {
        "id": "doc:pain-2009",
        "citeStyle": "PAGE",
        "letterTitle": "Test Pain Treatment",
    }
    assert data["criteria"] == [
        {
            "id": "crit:cyclo-weeks",
            "kind": "DurationLimit",
            "text": "No more than 3 weeks.",
            "maxWeeks": 3.0,
            "members": [],
        }
    ]


def test_criteria_groups_list_their_members(mini_index: GuidelineIndex) -> None:
    data = run(
        mini_index,
        '{ section(id: "sec:book-ch12-surgical") { criteria { logic members { id requiresFact } } } }',
    )
    group = data["section"]["criteria"][0]
    assert group["logic"] == "AllOf"
    assert {m["requiresFact"] for m in group["members"]} == {
        "failed_conservative_care",
        "corroborated_radiculopathy",
    }


def test_sections_filter(mini_index: GuidelineIndex) -> None:
    data = run(
        mini_index,
        """{
      byTreatment: sections(filter: {treatment: "tx:cyclobenzaprine"}) { totalCount edges { node { id } } }
      byLabel: sections(filter: {guideline: "MTUS CPMTG", asOf: "2017-01-01"}) { edges { node { id } } }
      bySearch: sections(filter: {search: "referral"}, first: 1) { edges { node { id } } pageInfo { hasNextPage } }
    }""",
    )
    assert [e["node"]["id"] for e in data["byTreatment"]["edges"]] == [
        "sec:pain-2009-cyclobenzaprine",
        "sec:pain-2009-relaxants",
    ]
    assert [e["node"]["id"] for e in data["byLabel"]["edges"]] == [
        "sec:pain-2016-physical-medicine"
    ]
    assert data["bySearch"]["edges"][0]["node"]["id"] == "sec:book-ch7-referral"


def test_documents_on_a_date_with_their_mtus_status(mini_index: GuidelineIndex) -> None:
    docs = run(
        mini_index,
        """{ documents(asOf: "2013-12-10") {
      id isMtus mtusLabel asOf adoptions { citationLabel effectiveFrom effectiveUntil } sections { id } } }""",
    )
    by_id = {d["id"]: d for d in docs["documents"]}
    assert set(by_id) == {"doc:pain-2009", "doc:book-ch12", "doc:book-ch7", "doc:odg-back"}
    assert by_id["doc:book-ch12"]["mtusLabel"] == "MTUS ACOEM" and by_id["doc:book-ch12"]["isMtus"]
    assert by_id["doc:book-ch7"]["isMtus"] is False and by_id["doc:book-ch7"]["adoptions"] == []
    assert by_id["doc:pain-2009"]["adoptions"] == [
        {
            "citationLabel": "MTUS CPMTG",
            "effectiveFrom": "2009-07-18",
            "effectiveUntil": "2016-07-28",
        }
    ]
    everything = run(mini_index, "{ documents { id isMtus asOf } }")["documents"]
    assert len(everything) == len(mini_index.documents)
    assert all(
        d["isMtus"] is False and d["asOf"] is None for d in everything
    )  # today: the test MTUS ended 2017


def test_compare(mini_index: GuidelineIndex) -> None:
    data = run(
        mini_index,
        """{ compare(treatment: "tx:physical-therapy", condition: "M54.5", asOf: "2016-01-05") {
      asOf condition outcome problems trace treatment { id } governing { text }
      guidance { source governs recommendation citation { guideline section guidelineSection { id } }
                 criteria { id status } }
    } }""",
    )["compare"]
    assert [g["source"] for g in data["guidance"]] == ["MTUS", "ACOEM", "ODG"]
    assert [g["governs"] for g in data["guidance"]] == [True, False, False]
    assert (
        data["guidance"][0]["citation"]["guidelineSection"]["id"]
        == "sec:pain-2009-physical-medicine"
    )
    assert data["guidance"][1]["citation"]["guideline"] == "MTUS ACOEM"
    assert data["guidance"][2]["recommendation"] == "RECOMMENDED_WITH_CONDITIONS"
    assert data["governing"]["text"].startswith("MTUS Test Pain Guidelines (2009)")
    assert data["outcome"] == "RESOLVED" and data["treatment"] == {"id": "tx:physical-therapy"}
    early = run(
        mini_index,
        '{ compare(treatment: "tx:physical-therapy", asOf: "2001-01-01") { outcome problems } }',
    )
    assert (
        early["compare"]["outcome"] is None
        and "before the first MTUS" in early["compare"]["problems"][0]
    )


FORMULARY = """query($drug: ID!, $on: Date!) { formularyStatus(drug: $drug, asOf: $on) { __typename
  ... on FormularyStatus { status specialFillDays perioperativeFillDays listVersion effectiveFrom confidence drug { id } }
  ... on NotOnFormulary { message drug { id } }
  ... on UnknownDrug { message suggestions { id } } } }"""


@pytest.mark.parametrize(
    ("drug", "on", "typename"),
    [
        pytest.param("tx:cyclobenzaprine", "2019-01-01", "FormularyStatus", id="listed"),
        pytest.param(
            "tx:cyclobenzaprine", "2017-12-31", "NotOnFormulary", id="before-the-drug-list"
        ),
        pytest.param("tx:muscle-relaxants", "2019-01-01", "NotOnFormulary", id="no-entry"),
        pytest.param("tx:flexeril", "2019-01-01", "UnknownDrug", id="unknown-id"),
    ],
)
def test_formulary_status(mini_index: GuidelineIndex, drug: str, on: str, typename: str) -> None:
    answer = run(mini_index, FORMULARY, drug=drug, on=on)["formularyStatus"]
    assert answer["__typename"] == typename
    if typename == "FormularyStatus":
        assert answer == {
            "__typename": "FormularyStatus",
            "status": "NON_EXEMPT",
            "specialFillDays": None,
            "perioperativeFillDays": None,
            "listVersion": "1",
            "effectiveFrom": "2018-01-01",
            "confidence": "U",
            "drug": {"id": "tx:cyclobenzaprine"},
        }
    if typename == "UnknownDrug":
        assert answer["suggestions"] == [{"id": "tx:cyclobenzaprine"}]


def test_neighbourhood_and_graph_info(mini_index: GuidelineIndex) -> None:
    data = run(
        mini_index,
        """{ neighbourhood(id: "tx:cyclobenzaprine") { center truncated
        nodes { id label kind } edges { source target relation } }
      graphInfo { version loadedAt counts { triples documents sections criteria conditions treatments
                                            formularyEntries sectionsByPublisher { dwc acoem odg } } } }""",
    )
    picture = data["neighbourhood"]
    assert picture["center"] == "tx:cyclobenzaprine" and not picture["truncated"]
    assert {
        "id": "sec:pain-2009-cyclobenzaprine",
        "label": "Cyclobenzaprine",
        "kind": "SECTION",
    } in picture["nodes"]
    assert {
        "source": "tx:cyclobenzaprine",
        "target": "tx:muscle-relaxants",
        "relation": "BROADER",
    } in picture["edges"]
    info = data["graphInfo"]
    assert info["version"] == mini_index.version and info["loadedAt"].startswith(
        "2026-01-01T08:00:00"
    )
    assert info["counts"]["sections"] == 8 and info["counts"]["sectionsByPublisher"] == {
        "dwc": 4,
        "acoem": 3,
        "odg": 1,
    }


# ---------------------------------------------------------------- the shipped graph


def test_shipped_graph_answers_every_operation(index: GuidelineIndex) -> None:
    data = run(
        index,
        """{ graphInfo { counts { sections } }
      documents(asOf: "2013-12-10") { id isMtus sections { id } }
      treatments(first: 5) { totalCount edges { node { id sections { id } } } }
      conditions(first: 5) { totalCount edges { node { id code } } }
      sections(first: 5) { totalCount edges { node { id document { id } criteria { id } } } } }""",
    )
    assert data["graphInfo"]["counts"]["sections"] == len(index.sections)
    assert data["sections"]["totalCount"] == len(index.sections)
    assert all(d["sections"] is not None for d in data["documents"])


def test_shipped_graph_flexeril_finds_cyclobenzaprine(index: GuidelineIndex) -> None:
    found = run(index, TREATMENTS, search="flexeril")["treatments"]["edges"]
    assert found[0]["node"]["id"] == "tx:cyclobenzaprine"


def test_shipped_graph_resolves_the_seed_services(index: GuidelineIndex) -> None:
    answer = resolve(
        index,
        date="2013-12-10",
        diagnoses=["M54.5"],
        services=[{"text": "PHYSICAL THERAPY X6"}, {"text": "quantum healing crystals"}],
    )
    pt, unknown = answer["services"]
    assert pt["outcome"] == "RESOLVED" and pt["quantity"] == 6 and pt["governing"]["mtus"]
    assert pt["criteria"]
    assert unknown["outcome"] == "UNKNOWN_SERVICE"
