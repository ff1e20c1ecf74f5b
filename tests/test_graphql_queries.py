"""Compiled plans (graphql_api.compiled) answer exactly what graphql-core answers.

Every query here runs twice through the served schema (the second run uses the operation's plan)
and once through the reference schema, where every field goes through graphql-core as strawberry
sets it up; the answers (data in key order, errors with their paths) must be identical.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import hypothesis_graphql
import pytest
import strawberry
from graphql import StringValueNode, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.extensions import ParserCache
from strawberry.types import Info

from strawberry.asgi import GraphQL

from graphql_api.app import create_app
from graphql_api.compiled import PlanCache, compile_operation, condition_variables
from graphql_api.context import Context
from graphql_api.execution import compiled
from graphql_api.limits import BudgetedExecutionContext, schema_extensions, within_budget
from graphql_api.prepared import PreparedQueries
from graphql_api.schema import make_schema
from graphql_api.settings import Settings
from graphql_api.view import GraphQLView
from kg.index import GuidelineIndex
from tests.conftest import MINI_GRAPH

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TODAY = date(2026, 1, 1)
LOADED = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
SERVED = make_schema(schema_extensions(Settings()))  # with the parse cache, as served: plans compile on reuse
REFERENCE = make_schema(schema_extensions(Settings()), compiled=False)

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
BAD_CURSOR = """{ treatments(first: 2, after: "not a cursor") { totalCount edges { node { id } } } }"""

REQUESTS: list[tuple[str, dict[str, Any]]] = [
    (RESOLVE, {"input": {"date": "2013-12-10", "diagnoses": ["M54.5"], "services": [
        {"text": "PT x6"}, {"text": "Flexeril 7.5mg #60"}, {"text": "spine surgery consult"},
        {"text": "hearing aids"}, {"text": "qwertyuiop"}, {"text": "muscle relaxants"}],
        "facts": {"dateOfInjury": "2012-01-10", "visitsReceived": 4}}}),
    (RESOLVE, {"input": {"date": "2017-03-01", "diagnoses": ["low back pain"], "services": [{"text": "PT x12"}],
                         "facts": {"phase": "POST_SURGICAL", "surgery": "discectomy"}}}),
    (RESOLVE, {"input": {"date": "not a date", "diagnoses": [], "services": [{"text": "PT"}]}}),
    (RESOLVE, {"input": {"date": "2013-12-10", "diagnoses": [], "services": [{"text": "PT", "quantity": 1e300}]}}),
    (RESOLVE, {"input": {"date": "2013-12-10", "diagnoses": [], "services": [{"text": "PT", "treatmentId": "tx:no"}]}}),
    (RESOLVE, {"input": {"date": "2013-12-10"}}),  # a variable error: graphql-core says so before any plan
    (FRAGMENTS, {"input": {"date": "2013-12-10", "diagnoses": [], "services": [{"text": "PT x6"}, {"text": "zz"}]}}),
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
REQUESTS += [(CONDITIONAL, {"dx": "M54.5", "hasDx": has, "brief": brief}) for has in (True, False)
             for brief in (True, False)]


def answer(schema: Any, index: GuidelineIndex, query: str, variables: dict[str, Any]) -> str:
    result = schema.execute_sync(query, variable_values=variables, context_value=Context(index, TODAY, LOADED, 2000))
    errors = [e.formatted for e in result.errors or ()]
    return json.dumps({"data": result.data, "errors": errors})  # key order included


@pytest.mark.parametrize(("query", "variables"), REQUESTS, ids=[f"request-{n}" for n in range(len(REQUESTS))])
def test_plans_answer_what_graphql_core_answers(query: str, variables: dict[str, Any], mini_index: GuidelineIndex,
                                                index: GuidelineIndex) -> None:
    for graph in (mini_index, index):
        expected = answer(REFERENCE, graph, query, variables)
        assert answer(SERVED, graph, query, variables) == expected  # first sight: graphql-core
        assert answer(SERVED, graph, query, variables) == expected  # then the plan


@pytest.mark.parametrize("query", [RESOLVE, FRAGMENTS, LOOKUPS, FORMULARY, BAD_CURSOR])
def test_the_queries_clients_send_compile(query: str) -> None:
    document = parse(query)
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    operation = next(d for d in document.definitions if d.kind == "operation_definition")
    assert compile_operation(SERVED._schema, operation, fragments) is not None


def test_a_conditional_operation_has_a_plan_per_value_of_its_conditions() -> None:
    document = parse(CONDITIONAL)
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    operation = document.definitions[0]
    assert condition_variables(operation, fragments) == ("brief", "hasDx")  # type: ignore[arg-type]
    assert compile_operation(SERVED._schema, operation, fragments) is None  # type: ignore[arg-type]
    plans = {compile_operation(SERVED._schema, operation, fragments, {"brief": b, "hasDx": h})  # type: ignore[arg-type]
             for b in (True, False) for h in (True, False)}
    assert None not in plans and len(plans) == 4
    cache = PlanCache()
    values = {"brief": True, "hasDx": False, "dx": "M54.5"}
    assert cache.get(SERVED._schema, operation, fragments, values) is None  # first sight
    plan = cache.get(SERVED._schema, operation, fragments, values)
    assert plan is not None
    assert cache.get(SERVED._schema, operation, fragments, {**values, "dx": "M17.11"}) is plan  # not a condition
    assert cache.get(SERVED._schema, operation, fragments, {**values, "brief": False}) is None  # first sight


@pytest.mark.parametrize("query", [
    "query($x: Boolean!) { graphInfo @include(if: $x) @deprecated { version } }",
    "{ __schema { queryType { name } } }",
    "{ graphInfo { version } __type(name: \"Treatment\") { name } }",
])
def test_what_plans_do_not_cover_is_left_to_graphql_core(query: str, mini_index: GuidelineIndex) -> None:
    document = parse(query)
    operation = document.definitions[0]
    assert compile_operation(SERVED._schema, operation, {}) is None  # type: ignore[arg-type]
    variables = {"x": True} if "$x" in query else {}
    if "@deprecated" in query:  # not a directive of queries: the answer is graphql-core's error
        return
    assert answer(SERVED, mini_index, query, variables) == answer(REFERENCE, mini_index, query, variables)


def test_an_operation_compiles_on_its_second_sighting_and_is_kept() -> None:
    cache = PlanCache(size=2)
    operations = [parse(q).definitions[0] for q in ("{ graphInfo { version } }", "{ __typename }", "{ a: __typename }")]
    schema = SERVED._schema
    assert cache.get(schema, operations[0], {}) is None  # seen once
    plan = cache.get(schema, operations[0], {})
    assert plan is not None and cache.get(schema, operations[0], {}) is plan
    cache.get(schema, operations[1], {})
    cache.get(schema, operations[2], {})  # the least recently used (operations[0]) goes
    assert cache.get(schema, operations[0], {}) is None


def test_the_time_budget_stops_a_plan(index: GuidelineIndex) -> None:
    variables = {"input": {"date": "2019-06-01", "diagnoses": ["M54.5"],
                           "services": [{"text": f"PT x{n % 20 + 1}"} for n in range(2000)]}}
    answer(SERVED, index, RESOLVE, variables)
    answer(SERVED, index, RESOLVE, variables)  # the plan exists, the resolver's memos are warm
    context = Context(index, TODAY, LOADED, 2000)
    assert within_budget(1e-4, SERVED.execute_sync, RESOLVE, variables, context) is None


# ------------------------------------------------------------------ resolvers see what graphql-core gives them


@strawberry.type
class Leaf:
    n: int

    @strawberry.field
    def path(self, info: Info) -> str:
        return ".".join(map(str, info.path.as_list()))

    @strawberry.field
    def scaled(self, by: int = 2, offset: int | None = None) -> int:
        return self.n * by + (offset or 0)


@strawberry.type
class Branch:
    leaves: list[Leaf]
    maybe: Leaf | None = None


@strawberry.input
class Shape:
    widths: list[int]
    label: str | None = None


@strawberry.type
class Root:
    @strawberry.field
    def tree(self, shape: Shape) -> list[Branch]:
        return [Branch(leaves=[Leaf(n=w * 10 + i) for i in range(w)]) for w in shape.widths]

    @strawberry.field
    def label(self, shape: Shape) -> str | None:
        return shape.label

    @strawberry.field
    def broken(self) -> Leaf:
        return None  # type: ignore[return-value]  # graphql-core reports it; the plan must hand it back


TOY = strawberry.Schema(query=Root, extensions=[lambda: ParserCache(maxsize=16)],
                        execution_context_class=compiled(BudgetedExecutionContext))
TOY_REFERENCE = strawberry.Schema(query=Root, execution_context_class=BudgetedExecutionContext)
TOY_QUERIES = [
    "query($s: Shape!) { tree(shape: $s) { leaves { n path scaled s3: scaled(by: 3, offset: 1) } maybe { n } } "
    "label(shape: $s) }",
    "query($s: Shape!) { tree(shape: $s) { leaves { path } } broken { n } }",
]


@pytest.mark.parametrize("query", TOY_QUERIES)
def test_resolvers_get_the_path_and_arguments_graphql_core_gives(query: str) -> None:
    variables = {"s": {"widths": [2, 0, 3], "label": "x"}}
    expected = TOY_REFERENCE.execute_sync(query, variable_values=variables)
    document = parse(query)
    assert compile_operation(TOY._schema, document.definitions[0], {}) is not None  # type: ignore[arg-type]
    for _ in range(3):  # first sight through graphql-core, then the plan
        got = TOY.execute_sync(query, variable_values=variables)
        assert json.dumps(got.data) == json.dumps(expected.data)
        assert [e.formatted for e in got.errors or ()] == [e.formatted for e in expected.errors or ()]


DATES = st.dates(date(2000, 1, 1), date(2030, 1, 1)).map(lambda d: StringValueNode(value=d.isoformat()))


@given(query=hypothesis_graphql.queries(REFERENCE.as_str(), custom_scalars={"Date": DATES, "DateTime": DATES}))
@settings(deadline=None, database=None, max_examples=120, suppress_health_check=list(HealthCheck))
def test_any_query_of_the_schema_gets_the_same_answer(query: str, mini_index: GuidelineIndex) -> None:
    expected = answer(REFERENCE, mini_index, query, {})
    assert answer(SERVED, mini_index, query, {}) == expected
    assert answer(SERVED, mini_index, query, {}) == expected


# ------------------------------------------------------------------ the prepared way, in process


PREPARED = PreparedQueries.of(SERVED)


def test_the_served_schema_prepares_its_queries() -> None:
    assert PREPARED is not None
    assert PreparedQueries.of(make_schema()) is None  # no extension, no prepared way
    other = make_schema([*schema_extensions(Settings()), lambda: ParserCache(maxsize=4)])
    assert PreparedQueries.of(other) is None  # another extension must see every operation


def prepared(index: GuidelineIndex, query: str, variables: dict[str, Any]) -> Any:
    assert PREPARED is not None
    return PREPARED.answer(SERVED, query, variables, Context(index, TODAY, LOADED, 2000), None)


@pytest.mark.parametrize(("query", "variables"), REQUESTS, ids=[f"request-{n}" for n in range(len(REQUESTS))])
def test_the_prepared_way_answers_what_graphql_core_answers_or_steps_aside(
        query: str, variables: dict[str, Any], index: GuidelineIndex) -> None:
    expected = json.loads(answer(REFERENCE, index, query, variables))
    for _ in range(3):  # seen, compiled, answered
        got = prepared(index, query, variables)
    if expected["errors"]:
        assert got is None  # errors are strawberry's to report, with its hooks
    else:
        assert got is not None and json.dumps(got.data) == json.dumps(expected["data"])


@pytest.mark.parametrize(("query", "variables"), [
    ("{ graphInfo { version ", {}),  # a syntax error
    ("{ graphInfo { nothing } }", {}),  # invalid
    ("query($id: ID!) { treatment(id: $id) { id } }", {}),  # a variable left out
    ("{ __schema { queryType { name } } }", {}),  # introspection: no plan
    (BAD_CURSOR, {}),  # the resolver raises: the plan hands it back
])
def test_the_prepared_way_steps_aside_for_what_it_does_not_answer(query: str, variables: dict[str, Any],
                                                                    mini_index: GuidelineIndex) -> None:
    for _ in range(3):
        assert prepared(mini_index, query, variables) is None


# ------------------------------------------------------------------ the view's short way over HTTP


BODIES: list[bytes] = [
    json.dumps({"query": RESOLVE, "variables": REQUESTS[0][1]}).encode(),
    json.dumps({"query": BAD_CURSOR}).encode(),
    json.dumps({"query": "{ graphInfo { nothing } }"}).encode(),
    json.dumps({"query": "{ graphInfo { version "}).encode(),
    json.dumps([{"query": "{ graphInfo { version } }"}]).encode(),  # a batch
    json.dumps({"query": 3}).encode(),
    json.dumps({"query": "{ graphInfo { version } }", "variables": "x"}).encode(),
    json.dumps({"variables": {}}).encode(),  # no query
    json.dumps("just a string").encode(),
    b"{not json",
    "{\"query\": \"{ graphInfo { version } }\"}".encode("utf-16"),
]


@pytest.fixture(scope="module")
def both_ways() -> Iterator[tuple[TestClient, TestClient]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        short = TestClient(create_app(Settings(data_dir=MINI_GRAPH)))
        strawberry_way = TestClient(create_app(Settings(data_dir=MINI_GRAPH)))
        with short, strawberry_way:
            yield short, strawberry_way


@pytest.mark.parametrize("body", BODIES, ids=[f"body-{n}" for n in range(len(BODIES))])
def test_the_short_way_answers_as_strawberrys_view_does(body: bytes, both_ways: tuple[TestClient, TestClient],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    short, strawberry_way = both_ways
    headers = {"content-type": "application/json"}
    got = [short.post("/graphql", content=body, headers=headers) for _ in range(3)]  # seen, compiled, answered
    with monkeypatch.context() as patch:
        patch.setattr(GraphQLView, "__call__", GraphQL.__call__)  # strawberry's own view, every step
        expected = strawberry_way.post("/graphql", content=body, headers=headers)
    for response in got:
        assert (response.status_code, response.headers["content-type"]) == \
            (expected.status_code, expected.headers["content-type"])
        assert response.content == expected.content
