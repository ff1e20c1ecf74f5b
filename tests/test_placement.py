"""Where /graphql executes a request (graphql_api/placement.py): a small request whose query text
was seen before on the event loop, anything else in a worker thread; and the same answers either
way."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import parse

from graphql_api import placement
from graphql_api.app import create_app
from graphql_api.schema import schema
from graphql_api.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

MINI = Path(__file__).resolve().parent / "data" / "graph"
GRAPHQL = schema._schema
RESOLVE = """query Resolve($input: ResolveInput!) { resolve(input: $input) { __typename
  ... on ResolveSuccess { services { request outcome treatment { id }
      governing { guideline section pages } candidates { guideline text }
      criteria { id status needs } } }
  ... on InvalidInput { message field } } }"""
AUDIT = """query($text: String!) { auditLetter(text: $text) { __typename } }"""
FAN_OUT = """{ documents { sections { addresses { sections { title } } } } }"""


def known(query: str) -> str:
    """`query` as a text that validated once (what the first request of a text does)."""
    placement.record(GRAPHQL, query, parse(query))
    return query


def resolve_input(services: int = 1, text: str = "Physical therapy x6") -> dict[str, Any]:
    return {
        "input": {
            "date": "2014-03-01",
            "diagnoses": ["M54.5"],
            "services": [{"text": text} for _ in range(services)],
        }
    }


def test_a_small_request_of_a_known_text_runs_on_the_loop() -> None:
    query = known(RESOLVE)
    assert placement.on_loop(GRAPHQL, query, None, resolve_input())
    assert placement.on_loop(GRAPHQL, query, "Resolve", resolve_input(3))


def test_unknown_texts_and_other_operations_go_to_the_worker_thread() -> None:
    known(RESOLVE)
    assert not placement.on_loop(GRAPHQL, RESOLVE + " ", None, resolve_input())  # never validated
    assert not placement.on_loop(GRAPHQL, RESOLVE, "Other", resolve_input())
    assert not placement.on_loop(GRAPHQL, None, None, resolve_input())


def test_many_services_or_long_texts_go_to_the_worker_thread() -> None:
    query = known(RESOLVE)
    assert not placement.on_loop(GRAPHQL, query, None, resolve_input(placement.LIGHT_VALUES))
    long_text = "physical therapy " * (placement.LIGHT_CHARS // 10)
    assert not placement.on_loop(GRAPHQL, query, None, resolve_input(text=long_text))


def test_letters_and_fan_outs_go_to_the_worker_thread() -> None:
    assert not placement.on_loop(GRAPHQL, known(AUDIT), None, {"text": "short"})
    assert not placement.on_loop(GRAPHQL, known(FAN_OUT), None, None)
    literals = ", ".join(f'{{text: "s{n}"}}' for n in range(placement.LIGHT_VALUES))
    inline = f'{{ resolve(input: {{date: "2014-03-01", diagnoses: [], services: [{literals}]}}) '
    inline += "{ __typename } }"
    assert not placement.on_loop(GRAPHQL, known(inline), None, None)


def test_an_operation_that_keeps_running_long_leaves_the_loop() -> None:
    query = known(RESOLVE.replace("query Resolve", "query Slow"))
    slow = placement.LIGHT_SECONDS * 2
    placement.observe(GRAPHQL, query, None, placement.LIGHT_SECONDS / 2)  # fast runs do not count
    for _ in range(placement.SLOW_RUNS - 1):  # a collector pass makes any one run slow
        placement.observe(GRAPHQL, query, None, slow)
        assert placement.on_loop(GRAPHQL, query, None, resolve_input())
    placement.observe(GRAPHQL, query, None, slow)
    assert not placement.on_loop(GRAPHQL, query, None, resolve_input())


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(Settings(data_dir=MINI))


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def served_schema(app: Any) -> Any:
    """The graphql-core schema /graphql executes (each app makes its own)."""
    route = next(r for r in app.routes if getattr(r, "path", None) == "/graphql")
    return route.endpoint.schema._schema


def test_answers_on_the_loop_are_those_of_the_worker_thread(
    app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first request of a text runs in the worker thread, the next on the loop: each answer
    equals that of the same request under a text never seen (which the worker thread answers).
    No run counts as slow here, so a busy machine cannot move the text off the loop."""
    monkeypatch.setattr(placement, "LIGHT_SECONDS", float("inf"))
    query = RESOLVE.replace("query Resolve", "query Equal")
    services = ("Physical therapy x6", "Flexeril 7.5mg #60", "acupunture x6", "zzz unknown")
    for n, text in enumerate(services):
        body = {"query": query, "variables": resolve_input(text=text)}
        first = client.post("/graphql", json=body).json()
        again = client.post("/graphql", json=body).json()
        fresh = client.post(
            "/graphql", json={**body, "query": query + " " * (n + 1)}
        ).json()  # a new text: validated in the thread
        assert first == again == fresh
        assert first["data"]["resolve"]["__typename"] == "ResolveSuccess", first
    assert placement.on_loop(served_schema(app), query, None, resolve_input())


def test_a_bad_operation_on_a_known_text_is_a_clear_error(client: TestClient) -> None:
    query = RESOLVE.replace("query Resolve", "query Named")
    body = {"query": query, "variables": resolve_input()}
    assert client.post("/graphql", json=body).status_code == 200
    wrong = client.post("/graphql", json={**body, "operationName": "Missing"})
    assert wrong.status_code == 400 and 'Unknown operation named "Missing"' in wrong.text


def test_only_runs_on_the_loop_count_as_slow(
    app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every run counts as slow here: large requests of a small text (the worker thread's) leave it
    on the loop; its own small runs, SLOW_RUNS of them, send it to the worker thread."""
    monkeypatch.setattr(placement, "LIGHT_SECONDS", -1.0)
    query = RESOLVE.replace("query Resolve", "query Judged")
    small = {"query": query, "variables": resolve_input()}
    large = {"query": query, "variables": resolve_input(placement.LIGHT_VALUES)}
    assert client.post("/graphql", json=small).status_code == 200  # seen: now known
    for _ in range(placement.SLOW_RUNS):
        assert client.post("/graphql", json=large).status_code == 200
    assert placement.on_loop(served_schema(app), query, None, resolve_input())
    for _ in range(placement.SLOW_RUNS):
        assert client.post("/graphql", json=small).status_code == 200
    assert not placement.on_loop(served_schema(app), query, None, resolve_input())
