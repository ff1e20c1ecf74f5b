"""`guideline-kg serve` as a real process on a free loopback port, checked over real HTTP: the seed
services, outcomes as data, search, the limits, and logs that never carry request content."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from loadtest.server import Server

MINI = Path(__file__).resolve().parent / "data" / "graph"
MARKER = "MARKER-c41d-SUBPROCESS-PATIENT"
RESOLVE = """query($input: ResolveInput!) { resolve(input: $input) { __typename
  ... on ResolveSuccess { services { request outcome quantity
      governing { text pages guideline guidelineSection { id } } criteria { id status needs } } }
  ... on InvalidInput { message field } } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    with Server(
        data_dir=MINI,
        env={"GUIDELINE_KG_CACHE_DIR": str(folder / "cache")},
        log=folder / "stderr.log",
    ) as running:
        yield running


def post(server: Server, query: str, **variables: object) -> httpx.Response:
    return httpx.post(
        f"{server.base}/graphql", json={"query": query, "variables": variables}, timeout=30
    )


def test_the_seed_services_resolve(server: Server) -> None:
    response = post(
        server,
        RESOLVE,
        input={
            "date": "2013-12-10",
            "diagnoses": ["low back pain"],
            "services": [{"text": "PHYSICAL THERAPY X6"}, {"text": MARKER}],
        },
    )
    assert response.status_code == 200
    pt, unknown = response.json()["data"]["resolve"]["services"]
    assert pt["outcome"] == "RESOLVED" and pt["quantity"] == 6
    assert pt["governing"]["guidelineSection"]["id"] == "sec:pain-2009-physical-medicine"
    assert pt["governing"]["pages"] == "98-99" and pt["governing"]["guideline"] == "MTUS CPMTG"
    assert pt["criteria"] and all(c["status"] for c in pt["criteria"])
    assert unknown["outcome"] == "UNKNOWN_SERVICE" and "errors" not in response.json()


def test_flexeril_finds_cyclobenzaprine(server: Server) -> None:
    response = post(server, '{ treatments(search: "flexeril") { edges { node { id } } } }')
    assert response.json()["data"]["treatments"]["edges"][0]["node"]["id"] == "tx:cyclobenzaprine"


def test_bad_requests_are_refused_without_a_5xx(server: Server) -> None:
    graphql = f"{server.base}/graphql"
    malformed = httpx.post(
        graphql, content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400
    invalid = post(server, "{ noSuchField }")
    assert invalid.status_code == 200 and invalid.json()["errors"]
    deep = "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }"
    assert post(server, deep).json()["errors"]
    aliases = "{ " + " ".join(f"a{i}: graphInfo {{ version }}" for i in range(300)) + " }"
    refused = post(server, aliases)
    assert refused.status_code < 500 and refused.json()["errors"] and not refused.json().get("data")


def test_an_8_mb_body_gets_a_413(server: Server) -> None:
    body = json.dumps(
        {"query": "{ graphInfo { version } }", "variables": {"pad": "x" * 8_000_000}}
    ).encode()
    try:
        response = httpx.post(
            f"{server.base}/graphql",
            content=body,
            headers={"content-type": "application/json"},
            timeout=30,
        )
    except (
        httpx.WriteError,
        httpx.RemoteProtocolError,
        httpx.ReadError,
    ) as exc:  # closed while we still sent
        pytest.fail(f"the server closed the connection instead of answering 413: {exc!r}")
    assert response.status_code == 413


def test_variables_never_reach_the_log_and_healthz_still_answers(server: Server) -> None:
    post(
        server,
        RESOLVE,
        input={"date": MARKER, "diagnoses": [MARKER], "services": [{"text": MARKER}]},
    )
    httpx.get(
        f"{server.base}/graphql",
        params={
            "query": RESOLVE,
            "variables": json.dumps(
                {
                    "input": {
                        "date": "2013-12-10",
                        "diagnoses": [MARKER],
                        "services": [{"text": MARKER}],
                    }
                }
            ),
        },
        timeout=30,
    )
    health = httpx.get(f"{server.base}/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    time.sleep(0.3)  # let the log lines reach the file
    log = server.log.read_text(errors="replace")
    assert "GET /graphql 200" in log and "POST /graphql" in log  # the access log works ...
    assert MARKER not in log  # ... and carries neither bodies nor query strings
    assert "?query" not in log
