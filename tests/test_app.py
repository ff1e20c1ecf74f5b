"""The Starlette app through its TestClient, over the small test graph: routes, lifespan, security
headers, limits (depth, aliases, tokens, body size, time, batch size), introspection switch, CORS,
logs without request content, and the admin reload."""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from graphql import get_introspection_query
from starlette.datastructures import Secret

from graphql_api.app import create_app
from graphql_api.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

MINI = Path(__file__).resolve().parent / "data" / "graph"
SETTINGS = Settings(data_dir=MINI)
RESOLVE = """query($input: ResolveInput!) { resolve(input: $input) { __typename
  ... on ResolveSuccess { services { outcome quantity governing { text } } }
  ... on InvalidInput { message field } } }"""


def client_for(settings: Settings = SETTINGS) -> Iterator[TestClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's notice that its TestClient prefers httpx2
        with TestClient(create_app(settings)) as client:
            yield client


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    yield from client_for()


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def test_healthz_reports_the_loaded_graph(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and len(body["version"]) == 64


def test_the_lifespan_loads_the_graph_once_into_state(client: TestClient) -> None:
    app: Any = client.app
    assert set(app.state.index.documents) >= {"doc:pain-2009", "doc:odg-back"}
    data = gql(client, "{ graphInfo { version loadedAt } }")["data"]["graphInfo"]
    assert data["version"] == app.state.index.version and data["loadedAt"]


def test_resolve_over_http(client: TestClient) -> None:
    body = gql(
        client,
        RESOLVE,
        input={
            "date": "2013-12-10",
            "diagnoses": ["low back pain"],
            "services": [{"text": "PT x6"}, {"text": "quantum healing crystals"}],
        },
    )
    services = body["data"]["resolve"]["services"]
    assert (
        services[0]["governing"]["text"]
        == "MTUS Test Pain Guidelines (2009), Physical Medicine, pp. 98-99"
    )
    assert services[0]["quantity"] == 6
    assert services[1]["outcome"] == "UNKNOWN_SERVICE" and "errors" not in body


def test_get_queries_work(client: TestClient) -> None:
    response = client.get(
        "/graphql", params={"query": '{ treatments(search: "flexeril") { edges { node { id } } } }'}
    )
    assert response.status_code == 200
    assert response.json()["data"]["treatments"]["edges"][0]["node"]["id"] == "tx:cyclobenzaprine"


def test_security_headers_on_every_response(client: TestClient) -> None:
    for response in (
        client.get("/healthz"),
        client.get("/"),
        client.get("/no-such-page"),
        client.post("/graphql", json={"query": "{ graphInfo { version } }"}),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "https:" not in csp


def test_graphiql_is_served_from_our_own_files_under_a_policy_closed_to_other_hosts(
    client: TestClient,
) -> None:
    response = client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()
    csp = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert csp["script-src"] == "'self'" and csp["connect-src"] == "'self'"
    assert all("http" not in value and "*" not in value for value in csp.values()), csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:  # every file the page names is served, as its type
        served = client.get(source)
        assert served.status_code == 200, source
        kind = {"js": "javascript", "css": "text/css", "svg": "image/svg+xml"}[
            source.rsplit(".", 1)[1]
        ]
        assert kind in served.headers["content-type"], (source, served.headers["content-type"])


def test_the_explorer_is_served_at_the_root(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and "explorer" in response.text.lower()
    assert client.get("/index.html").status_code == 200


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/graphql",
        content=b'{"query": "{ graphInfo {',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400


def test_an_invalid_query_is_an_error_not_a_5xx(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ noSuchField }"})
    assert response.status_code == 200 and response.json()["errors"]
    response = client.post("/graphql", json={"query": "{ graphInfo { "})
    assert response.status_code < 500 and response.json()["errors"]


def test_a_deep_query_is_refused(client: TestClient) -> None:
    deep = '{ treatment(id: "tx:cyclobenzaprine") { ' + "broader { " * 13 + "id" + " }" * 14 + " }"
    body = client.post("/graphql", json={"query": deep}).json()
    assert (
        "exceeds maximum operation depth" in body["errors"][0]["message"]
        and body.get("data") is None
    )


def test_a_deep_introspection_query_is_refused(client: TestClient) -> None:
    deep = "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }"
    body = client.post("/graphql", json={"query": deep}).json()
    assert body["errors"] and "introspection depth" in body["errors"][0]["message"]


def test_graphiqls_own_introspection_query_passes_the_limits(client: TestClient) -> None:
    body = gql(client, get_introspection_query(descriptions=True))
    assert "errors" not in body and body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_too_many_aliases_are_refused(client: TestClient) -> None:
    query = "{ " + " ".join(f"a{i}: graphInfo {{ version }}" for i in range(300)) + " }"
    body = client.post("/graphql", json={"query": query}).json()
    assert body["errors"] and "aliases" in body["errors"][0]["message"] and body.get("data") is None


def test_too_many_tokens_are_refused(client: TestClient) -> None:
    query = "{ graphInfo { " + "version " * 5000 + "} }"
    body = client.post("/graphql", json={"query": query}).json()
    assert body["errors"] and "tokens" in body["errors"][0]["message"]


def test_a_large_body_is_a_413_by_length_and_by_stream(client: TestClient) -> None:
    big = json.dumps({"query": "{ graphInfo { version } }", "variables": {"pad": "x" * 2_000_000}})
    assert (
        client.post(
            "/graphql", content=big, headers={"content-type": "application/json"}
        ).status_code
        == 413
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"query": "{ graphInfo { version } }", "variables": {"pad": "'
        for _ in range(30):
            yield b"x" * 100_000
        yield b'"}}'

    response = client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert client.get("/healthz").status_code == 200


def test_the_batch_size_is_limited() -> None:
    for client in client_for(replace(SETTINGS, max_services=3)):
        body = gql(
            client,
            RESOLVE,
            input={"date": "2013-12-10", "diagnoses": [], "services": [{"text": "PT"}] * 4},
        )
        assert body["data"]["resolve"] == {
            "__typename": "InvalidInput",
            "message": "at most 3 services per request",
            "field": "services",
        }


def test_the_time_budget_turns_a_slow_request_into_a_503() -> None:
    for client in client_for(replace(SETTINGS, time_budget_s=0.001)):
        services = [{"text": f"physical therapy x{i % 20} lumbar"} for i in range(1500)]
        response = client.post(
            "/graphql",
            json={
                "query": RESOLVE,
                "variables": {
                    "input": {"date": "2013-12-10", "diagnoses": ["M54.5"], "services": services}
                },
            },
        )
        assert response.status_code == 503
        assert response.json()["errors"][0]["message"] == "time budget exceeded"
        assert client.get("/healthz").status_code == 200


def test_introspection_can_be_switched_off() -> None:
    for client in client_for(replace(SETTINGS, introspection=False)):
        body = client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"}).json()
        assert body["errors"] and "introspection" in body["errors"][0]["message"].lower()
        assert gql(client, "{ graphInfo { version } }")["data"]["graphInfo"]["version"]


def test_cors_is_closed_by_default(client: TestClient) -> None:
    preflight = client.options(
        "/graphql",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    response = client.post(
        "/graphql",
        json={"query": "{ graphInfo { version } }"},
        headers={"origin": "https://evil.example"},
    )
    assert "access-control-allow-origin" not in response.headers


def test_cors_opens_to_configured_origins_only() -> None:
    for client in client_for(replace(SETTINGS, cors_origins=("https://review.example",))):
        ok = client.options(
            "/graphql",
            headers={"origin": "https://review.example", "access-control-request-method": "POST"},
        )
        assert ok.headers["access-control-allow-origin"] == "https://review.example"
        other = client.post(
            "/graphql",
            json={"query": "{ graphInfo { version } }"},
            headers={"origin": "https://evil.example"},
        )
        assert "access-control-allow-origin" not in other.headers


def test_no_request_content_reaches_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "MARKER-7f3a9c-PATIENT"
    caplog.set_level(logging.DEBUG)
    gql(
        client,
        RESOLVE,
        input={"date": "2013-12-10", "diagnoses": [marker], "services": [{"text": marker}]},
    )
    client.post(
        "/graphql",
        json={
            "query": RESOLVE,
            "variables": {
                "input": {"date": marker, "diagnoses": [], "services": [{"text": marker}]}
            },
        },
    )
    client.get(
        "/graphql",
        params={
            "query": RESOLVE,
            "variables": json.dumps(
                {
                    "input": {
                        "date": "2013-12-10",
                        "diagnoses": [marker],
                        "services": [{"text": marker}],
                    }
                }
            ),
        },
    )
    client.get("/graphql", params={"query": f'{{ treatment(id: "{marker}") {{ id }} nope }}'})
    client.post(
        "/graphql",
        content=f'{{"query": "{marker}'.encode(),
        headers={"content-type": "application/json"},
    )
    server_side = [
        r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    ]  # not the client's
    assert server_side and not [
        r for r in server_side if marker in r.getMessage() or marker in (r.exc_text or "")
    ]
    lines = [r.getMessage() for r in caplog.records if r.name == "guideline_kg.access"]
    assert any(line.startswith("GET /graphql 200") for line in lines)
    assert any(line.startswith("POST /graphql 400") for line in lines)


def test_admin_reload_needs_the_token() -> None:
    for client in client_for(replace(SETTINGS, admin_token=Secret("s3cret"))):
        assert client.post("/admin/reload").status_code == 401
        assert (
            client.post("/admin/reload", headers={"authorization": "Bearer wrong"}).status_code
            == 401
        )
        response = client.post("/admin/reload", headers={"authorization": "Bearer s3cret"})
        assert response.status_code == 200 and response.json()["status"] == "reloaded"


def test_no_admin_endpoint_without_a_token(client: TestClient) -> None:
    assert client.post("/admin/reload", headers={"authorization": "Bearer "}).status_code in (
        404,
        405,
    )


def test_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "GUIDELINE_KG_PORT": "9001",
            "GUIDELINE_KG_INTROSPECTION": "false",
            "GUIDELINE_KG_CORS_ORIGINS": "https://a.example, https://b.example",
            "GUIDELINE_KG_DATA_DIR": str(MINI),
            "GUIDELINE_KG_TIME_BUDGET_S": "2.5",
        },
        env_file=None,
    )
    assert (settings.port, settings.introspection, settings.data_dir, settings.time_budget_s) == (
        9001,
        False,
        MINI,
        2.5,
    )
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    defaults = Settings.from_env({}, env_file=None)
    assert defaults == Settings() and defaults.cors_origins == () and defaults.admin_token is None
    assert (defaults.max_depth, defaults.max_aliases, defaults.max_tokens) == (12, 50, 4000)
    assert (defaults.max_body_bytes, defaults.max_services, defaults.time_budget_s) == (
        1_000_000,
        2000,
        10.0,
    )
