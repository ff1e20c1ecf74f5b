"""What one client can make a worker do through /graphql (issue 18): validation that costs as much
as the document is long, whatever its fragments spread; a worker that answers /healthz while any
request runs; caches a client cannot fill; errors that do not echo the request or the schema; and
a media type read as a media type.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.settings import Settings
from loadtest.server import Server

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

MINI = Path(__file__).resolve().parent / "data" / "graph"


def fan_out(levels: int) -> str:
    """Each fragment spreads the next one twice: 2**levels paths through 1.2 KB of text."""
    fragments = [f"fragment A{i} on Query {{ ...A{i + 1} ...A{i + 1} }}" for i in range(levels)]
    fragments.append(f"fragment A{levels} on Query {{ graphInfo {{ version }} }}")
    return "query { ...A0 } " + " ".join(fragments)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("limits")
    with Server(
        data_dir=MINI,
        env={"GUIDELINE_KG_CACHE_DIR": str(folder / "cache")},
        log=folder / "stderr.log",
    ) as running:
        yield running


def client_for(settings: Settings) -> TestClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(create_app(settings))


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_fragment_fan_out_is_refused_and_the_worker_keeps_answering(
    server: Server, method: str
) -> None:
    """30 levels of two-way fan-out: refused with a GraphQL error naming the limit; meanwhile
    /healthz answers. Before, validation walked every path (minutes of one worker's time)."""
    query = fan_out(30)
    answer: dict[str, httpx.Response] = {}

    def ask() -> None:
        url = f"{server.base}/graphql"
        answer["r"] = (
            httpx.post(url, json={"query": query}, timeout=120)
            if method == "POST"
            else httpx.get(url, params={"query": query}, timeout=120)
        )

    asking = threading.Thread(target=ask)
    asking.start()
    health = [httpx.get(f"{server.base}/healthz", timeout=30).status_code for _ in range(5)]
    asking.join(timeout=120)
    assert health == [200] * 5
    response = answer["r"]
    body = response.json()
    assert body.get("data") is None and "results" in body["errors"][0]["message"], body


def test_a_long_chain_of_fragments_is_measured_once_each() -> None:
    """200 fragments spreading the next twice, under the token limit: refused, not walked 2**200
    times."""
    with client_for(Settings(data_dir=MINI, max_tokens=10_000)) as client:
        body = client.post("/graphql", json={"query": fan_out(200)}).json()
    assert body.get("data") is None and "results" in body["errors"][0]["message"]


def test_fragments_count_towards_depth_and_aliases() -> None:
    deep = (
        "query { ...a } fragment a on Query { treatments { edges { node { ...b } } } } "
        "fragment b on Treatment { broader { broader { broader { broader { broader { broader { broader { "
        "broader { broader { broader { id } } } } } } } } } } }"
    )
    aliased = (
        "query { ...a ...a } fragment a on Query { "
        + " ".join(f"v{i}: graphInfo {{ version }}" for i in range(30))
        + " }"
    )
    with client_for(Settings(data_dir=MINI)) as client:
        deep_errors = client.post("/graphql", json={"query": deep}).json()["errors"]
        alias_errors = client.post("/graphql", json={"query": aliased}).json()["errors"]
    assert "exceeds maximum operation depth" in deep_errors[0]["message"]
    assert "60 aliases" in alias_errors[0]["message"]


def test_an_error_repeats_little_of_what_the_client_sent() -> None:
    name = "x" * 990_000
    with client_for(Settings(data_dir=MINI, max_body_bytes=2_000_000)) as client:
        response = client.post("/graphql", json={"query": f"{{ {name} }}"})
    message = response.json()["errors"][0]["message"]
    assert len(message) <= 300 and "Cannot query field" in message


def test_no_suggestions_reveal_the_schema_when_introspection_is_off() -> None:
    misspelt = '{ treatmnt(id: "tx:cyclobenzaprine") { id } }'
    enum = (
        'query { resolve(input: {date: "2013-12-10", diagnoses: [], services: [{text: "PT"}], '
        "facts: {phase: CHRONIK}}) { __typename } }"
    )
    with client_for(Settings(data_dir=MINI, introspection=False)) as closed:
        hidden = [
            closed.post("/graphql", json={"query": q}).json()["errors"][0]["message"]
            for q in (misspelt, enum)
        ]
    with client_for(Settings(data_dir=MINI, introspection=True)) as open_:
        shown = open_.post("/graphql", json={"query": misspelt}).json()["errors"][0]["message"]
    assert "Did you mean" in shown
    assert all(
        "Did you mean" not in m and "treatment" not in m.replace("treatmnt", "") for m in hidden
    ), hidden


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("text/plain; charset=application/json", 415),
        ("text/plain", 415),
        ("application/x-www-form-urlencoded; a=application/json", 415),
        ("Application/JSON; charset=UTF-8", 200),
        ("application/json", 200),
    ],
)
def test_a_post_is_json_by_its_media_type(content_type: str, status: int) -> None:
    with client_for(Settings(data_dir=MINI)) as client:
        response = client.post(
            "/graphql",
            content=b'{"query": "{ graphInfo { version } }"}',
            headers={"content-type": content_type},
        )
    assert response.status_code == status


def test_large_distinct_queries_do_not_pin_memory(server: Server) -> None:
    """120 distinct queries of 500 KB each (within the token limit: one long alias). Cached by count
    alone, they pinned their text and syntax trees (about 60 MB here); large texts are not
    cached."""

    def rss() -> int:
        return server.rss_kib()

    with httpx.Client(timeout=60) as client:
        for warm in range(10):  # the allocator's arenas, once
            client.post(
                f"{server.base}/graphql",
                json={"query": f"{{ w{warm}{'y' * 500_000}: __typename }}"},
            )
        before = rss()
        for n in range(120):
            response = client.post(
                f"{server.base}/graphql", json={"query": f"{{ a{n}{'z' * 500_000}: __typename }}"}
            )
            assert response.status_code == 200
        grown_mb = (rss() - before) / 1024
    assert grown_mb < 30, f"a worker kept {grown_mb:.0f} MB after 120 distinct large queries"


def test_health_answers_while_a_long_request_runs(server: Server) -> None:
    """A request that keeps the executor busy for its whole budget does not stop /healthz."""
    services = [{"text": f"physical therapy x{n % 24 + 1} lumbar"} for n in range(2000)]
    query = """query($input: ResolveInput!) { resolve(input: $input) { __typename } }"""
    done = threading.Event()

    def ask() -> None:
        httpx.post(
            f"{server.base}/graphql",
            json={
                "query": query,
                "variables": {
                    "input": {"date": "2013-12-10", "diagnoses": ["M54.5"], "services": services}
                },
            },
            timeout=60,
        )
        done.set()

    threading.Thread(target=ask, daemon=True).start()
    time.sleep(0.05)
    statuses = [httpx.get(f"{server.base}/healthz", timeout=30).status_code for _ in range(3)]
    done.wait(60)
    assert statuses == [200, 200, 200]
