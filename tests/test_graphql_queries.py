"""The queries clients send, and any query of the schema, answered by the served schema (with the
limits, the cache of small queries and the wording of errors) as by the plain schema: the extensions
change no answer, the second time (from the cache) as the first; and no query makes a fault.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import hypothesis_graphql
import pytest
from graphql import GraphQLError, StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphql_api.context import Context
from graphql_api.extensions import SmallQueryCache
from graphql_api.limits import schema_extensions, within_budget
from graphql_api.schema import make_schema
from graphql_api.settings import Settings
from kg.errors import InputError
from kg.index import GuidelineIndex

TODAY = date(2026, 1, 1)
LOADED = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
SERVED = make_schema(schema_extensions(Settings()))  # as served
# the same limits, parsed and validated anew on every request: strawberry's own way
REFERENCE = make_schema([e for e in schema_extensions(Settings()) if e is not SmallQueryCache])

CITATION = "guideline mtus document edition chapter section pages text evidenceStep recommendation"
RESOLVE = f"""query Resolve($input: ResolveInput!) {{
  resolve(input: $input) {{
    __typename
    ... on ResolveSuccess {{
      services {{
        request outcome quantity phase bodyRegions problems trace
        treatment {{ id label kind broader {{ id }} }}
        suggestions {{ id label }}
        governing {{ {CITATION} guidelineSection {{ id title criteria {{ id kind }} }}
                     guidelineDocument {{ id isMtus mtusLabel asOf }} }}
        candidates {{ guideline text mtus }}
        criteria {{ id text status needs criterion {{ kind }} }}
      }}
    }}
    ... on InvalidInput {{ message field }}
  }}
}}"""
FRAGMENTS = """query Fragments($input: ResolveInput!) {
  first: resolve(input: $input) { ...answer }
  again: resolve(input: $input) { __typename ... on ResolveSuccess { services { request } } ...answer }
}
fragment cited on Citation { guideline section }
fragment answer on ResolveResult {
  __typename
  ... on ResolveSuccess { services { outcome governing { ...cited pages } governing { text } } }
  ... on InvalidInput { message }
}"""
LOOKUPS = """{
  graphInfo { counts { sections treatments conditions documents criteria } }
  treatments(search: "flexeril", first: 3) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { __typename id label brandNames broader { id } narrower { id } sections { id } } } }
  conditions(search: "M54", first: 3) { totalCount edges { node { id code label broader { id } } } }
  sections(filter: { search: "physical" }, first: 4) { totalCount
    edges { node { id title pages recommendation document { id label } parent { id } criteria { id kind } } } }
  documents(asOf: "2013-12-10") { id isMtus mtusLabel asOf adoptions { citationLabel effectiveFrom } }
  compare(treatment: "tx:physical-therapy", condition: "M54.5", asOf: "2016-01-05") {
    asOf outcome trace governing { text } guidance { source governs recommendation citation { text } } }
  neighbourhood(id: "tx:cyclobenzaprine") { center truncated nodes { id kind } edges { source target relation } }
}"""
FORMULARY = """query($drug: ID!, $on: Date!) { formularyStatus(drug: $drug, asOf: $on) { __typename
  ... on FormularyStatus { status specialFillDays }
  ... on UnknownDrug { message suggestions { id } } } }"""
BAD_CURSOR = (
    """{ treatments(first: 2, after: "not a cursor") { totalCount edges { node { id } } } }"""
)

REQUESTS: list[tuple[str, dict[str, Any]]] = [
    (
        RESOLVE,
        {
            "input": {
                "date": "2013-12-10",
                "diagnoses": ["M54.5"],
                "services": [
                    {"text": "PT x6"},
                    {"text": "Flexeril 7.5mg #60"},
                    {"text": "spine surgery consult"},
                    {"text": "hearing aids"},
                    {"text": "qwertyuiop"},
                    {"text": "muscle relaxants"},
                ],
                "facts": {"dateOfInjury": "2012-01-10", "visitsReceived": 4},
            }
        },
    ),
    (
        RESOLVE,
        {
            "input": {
                "date": "2017-03-01",
                "diagnoses": ["low back pain"],
                "services": [{"text": "PT x12"}],
                "facts": {"phase": "POST_SURGICAL", "surgery": "discectomy"},
            }
        },
    ),
    (RESOLVE, {"input": {"date": "not a date", "diagnoses": [], "services": [{"text": "PT"}]}}),
    (
        RESOLVE,
        {
            "input": {
                "date": "2013-12-10",
                "diagnoses": [],
                "services": [{"text": "PT", "quantity": 1e300}],
            }
        },
    ),
    (
        RESOLVE,
        {
            "input": {
                "date": "2013-12-10",
                "diagnoses": [],
                "services": [{"text": "PT", "treatmentId": "tx:no"}],
            }
        },
    ),
    (
        RESOLVE,
        {"input": {"date": "2013-12-10"}},
    ),  # a variable error: graphql-core says so before any plan
    (
        FRAGMENTS,
        {
            "input": {
                "date": "2013-12-10",
                "diagnoses": [],
                "services": [{"text": "PT x6"}, {"text": "zz"}],
            }
        },
    ),
    (LOOKUPS, {}),
    (FORMULARY, {"drug": "tx:cyclobenzaprine", "on": "2018-03-01"}),
    (FORMULARY, {"drug": "tx:nothing-like-it", "on": "2018-03-01"}),
    (BAD_CURSOR, {}),
    ("{ __typename graphInfo { __typename version } }", {}),
]
CONDITIONAL = """query($dx: String!, $hasDx: Boolean!, $brief: Boolean!) {
  treatment(id: "tx:cyclobenzaprine") { id label aliases @skip(if: $brief) broader @include(if: true) { id } }
  diagnosis: condition(code: $dx) @include(if: $hasDx) { id code }
  ... on Query @skip(if: $brief) { graphInfo { version } }
  ...info @include(if: $hasDx)
}
fragment info on Query { documents { id } }"""
REQUESTS += [
    (CONDITIONAL, {"dx": "M54.5", "hasDx": has, "brief": brief})
    for has in (True, False)
    for brief in (True, False)
]


def answer(schema: Any, index: GuidelineIndex, query: str, variables: dict[str, Any]) -> str:
    result = schema.execute_sync(
        query, variable_values=variables, context_value=Context(index, TODAY, LOADED, 2000)
    )
    errors = [e.formatted for e in result.errors or ()]
    return json.dumps({"data": result.data, "errors": errors})  # key order included


@pytest.mark.parametrize(
    ("query", "variables"), REQUESTS, ids=[f"request-{n}" for n in range(len(REQUESTS))]
)
def test_the_served_schema_answers_what_the_plain_one_answers(
    query: str, variables: dict[str, Any], mini_index: GuidelineIndex, index: GuidelineIndex
) -> None:
    for graph in (mini_index, index):
        expected = answer(REFERENCE, graph, query, variables)
        assert answer(SERVED, graph, query, variables) == expected  # parsed and validated
        assert answer(SERVED, graph, query, variables) == expected  # from the cache


def test_the_queries_clients_send_get_answers_without_errors(index: GuidelineIndex) -> None:
    for query, variables in REQUESTS[:2] + REQUESTS[6:10]:
        got = json.loads(answer(SERVED, index, query, variables))
        assert got["errors"] == [] and got["data"], query


def test_conditional_directives_select_what_is_answered(mini_index: GuidelineIndex) -> None:
    answers = {
        (v["hasDx"], v["brief"]): json.loads(answer(SERVED, mini_index, q, v))["data"]
        for q, v in REQUESTS
        if q is CONDITIONAL
    }
    assert (
        "aliases" in answers[True, False]["treatment"]
        and "aliases" not in answers[True, True]["treatment"]
    )
    assert "diagnosis" in answers[True, True] and "diagnosis" not in answers[False, True]
    assert "graphInfo" in answers[False, False] and "graphInfo" not in answers[False, True]
    assert "documents" in answers[True, True] and "documents" not in answers[False, False]


def test_the_time_budget_stops_an_answer(index: GuidelineIndex) -> None:
    variables = {
        "input": {
            "date": "2019-06-01",
            "diagnoses": ["M54.5"],
            "services": [{"text": f"PT x{n % 20 + 1}"} for n in range(2000)],
        }
    }
    context = Context(index, TODAY, LOADED, 2000)
    assert within_budget(1e-4, SERVED.execute_sync, RESOLVE, variables, context) is None
    assert within_budget(60, SERVED.execute_sync, RESOLVE, variables, context) is not None


DATES = st.dates(date(2000, 1, 1), date(2030, 1, 1)).map(
    lambda d: StringValueNode(value=d.isoformat())
)


@given(
    query=hypothesis_graphql.queries(
        REFERENCE.as_str(), custom_scalars={"Date": DATES, "DateTime": DATES}
    )
)
@settings(deadline=None, database=None, max_examples=120, suppress_health_check=list(HealthCheck))
def test_any_query_of_the_schema_gets_the_same_answer_and_no_fault(
    query: str, mini_index: GuidelineIndex
) -> None:
    expected = answer(REFERENCE, mini_index, query, {})
    assert answer(SERVED, mini_index, query, {}) == expected
    result = SERVED.execute_sync(query, context_value=Context(mini_index, TODAY, LOADED, 2000))
    faults = [
        e
        for e in result.errors or ()
        if e.original_error is not None
        and not isinstance(e.original_error, InputError | GraphQLError)
    ]
    assert not faults, faults
