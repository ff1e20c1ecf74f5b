"""Hostile input against `guideline-kg serve` (a real process over the shipped graph): schemathesis
fuzzing of every query field, hypothesis over resolve's inputs and over GraphQL variables and raw
bodies, and the query shapes that must be refused within their budgets. Never a 5xx but for the
time budget's 503, never a traceback in a body, never a fault in the server's log. Plus the
security properties that tests/test_app.py does not already pin: read-only schema, dependency floor.
"""

from __future__ import annotations

import json
import os
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.errors import InputError  # noqa: E402
from kg.index import GuidelineIndex  # noqa: E402
from kg.resolve import ResolveRequest, resolve  # noqa: E402
from kg.resolve.request import Facts  # noqa: E402
from loadtest.server import Server  # noqa: E402

# The module server's time budget: long enough that no ordinary request meets it however busy the
# machine (at 2 s, schemathesis' queries got 503s on a host at load 7, nothing broken). Work is
# bounded below by the CPU time the server spends (cpu_seconds), which other programs on the machine
# do not inflate the way they stretch wall time. The budget itself is tested on a server of its own
# (CUT_BUDGET_S).
BUDGET_S = 30.0
CUT_BUDGET_S = 0.25  # test_a_slow_query_is_cut_at_its_budget_and_stops_working
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("hostile") / "serve.log"
    with Server(env={"GUIDELINE_KG_TIME_BUDGET_S": str(BUDGET_S)}, log=log) as running:
        yield running


@pytest.fixture(scope="module")
def cut_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose budget a big batch exceeds on any machine (it takes seconds of CPU here)."""
    log = tmp_path_factory.mktemp("hostile-cut") / "serve.log"
    with Server(env={"GUIDELINE_KG_TIME_BUDGET_S": str(CUT_BUDGET_S)}, log=log) as running:
        yield running


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=30) as c:
        yield c


def refused_cleanly(response: httpx.Response) -> dict[str, Any] | None:
    """A client error or a GraphQL answer, never a 5xx nor a stack trace; the JSON body if there is
    one."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert "Traceback" not in response.text and 'File "' not in response.text, response.text[:500]
    try:
        body = response.json()
    except ValueError:
        assert response.status_code >= 400  # plain-text refusals are strawberry's 400s
        return None
    assert isinstance(body, dict)
    if response.status_code == 200:
        assert "data" in body or "errors" in body
    return body


# --- schemathesis ---------------------------------------------------------------------------------


def test_schemathesis_finds_no_server_error_and_every_answer_conforms(server: Server) -> None:
    """Every query field, valid (25 examples) and invalid (10) queries: no 5xx, answers that are
    GraphQL responses, no non-null field null, no resolver fault; input errors carry code
    BAD_USER_INPUT."""
    import schemathesis
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.graphql.from_url(f"{server.base}/graphql")
    counted: dict[str, int] = {}

    def fuzz(operation: Any, mode: Any, examples: int) -> None:
        key = f"{operation.label} {mode.value}"
        counted[key] = 0

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(FUZZ, max_examples=examples)
        def check(case: Any) -> None:
            counted[key] += 1
            response = case.call(timeout=30)
            assert response.status_code < 500, (response.status_code, case.body)
            assert "Traceback" not in response.text
            # the schema cannot say `first` is at most 100: a refusal of valid-looking input is fine
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        check()

    for result in schema.get_all_operations():
        operation = result.ok()
        fuzz(operation, GenerationMode.POSITIVE, 25)
        fuzz(operation, GenerationMode.NEGATIVE, 10)
    fields = len(schema.client_schema.query_type.fields)
    assert fields >= 14 and len(counted) == 2 * fields and sum(counted.values()) >= fields * 30, (
        counted
    )
    print(f"schemathesis: {sum(counted.values())} cases over {len(counted) // 2} query fields")


# --- hypothesis over kg's resolve inputs ----------------------------------------------------------

FACT_NAMES = sorted(f.name for f in fields(Facts))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.dates(),
)
SERVICE = st.one_of(
    st.text(max_size=60),
    st.integers(),
    st.none(),
    st.dictionaries(
        st.sampled_from(["text", "treatment_id", "treatmentId", "quantity", "other"]),
        SCALARS,
        max_size=4,
    ),
)


@given(
    on=st.one_of(st.dates(), st.text(max_size=20), st.integers(), st.none()),
    services=st.one_of(st.none(), st.lists(SERVICE, max_size=6)),
    diagnoses=st.one_of(
        st.none(), st.lists(st.one_of(st.text(max_size=40), st.integers()), max_size=4)
    ),
    facts=st.one_of(
        st.none(),
        st.dictionaries(
            st.one_of(st.sampled_from(FACT_NAMES), st.text(max_size=10)), SCALARS, max_size=5
        ),
    ),
)
@settings(FUZZ, max_examples=300)
def test_resolve_inputs_are_refused_or_answered_never_crash(
    on: Any, services: Any, diagnoses: Any, facts: Any, index: GuidelineIndex
) -> None:
    try:
        request = ResolveRequest.parse(
            on=on, services=services, diagnoses=diagnoses, facts=facts, today=date(2024, 6, 30)
        )
    except InputError as exc:
        assert str(exc)
        return
    answers = resolve(request, index)
    assert len(answers) == len(request.services)


# --- hypothesis over GraphQL variables and raw bodies ---------------------------------------------

ANY_QUERY = """query($input: ResolveInput!, $s: String, $id: ID!, $d: Date, $n: Int!) {
  resolve(input: $input) { __typename ... on InvalidInput { message field } }
  treatments(search: $s, first: $n) { totalCount }
  section(id: $id) { id }
  documents(asOf: $d) { id } }"""
JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=80),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
INPUT = st.fixed_dictionaries(
    {
        "date": st.one_of(st.dates().map(str), JSON),
        "diagnoses": st.one_of(st.lists(st.text(max_size=80), max_size=3), JSON),
        "services": st.one_of(
            st.lists(st.fixed_dictionaries({"text": st.text(max_size=200)}), max_size=3), JSON
        ),
    }
)


@given(
    variables=st.fixed_dictionaries(
        {
            "input": st.one_of(INPUT, JSON),
            "s": JSON,
            "id": JSON,
            "d": JSON,
            "n": st.one_of(st.integers(-(10**12), 10**12), JSON),
        }
    )
)
@settings(FUZZ, max_examples=150)
def test_any_variables_are_refused_cleanly(variables: dict[str, Any], client: httpx.Client) -> None:
    body = refused_cleanly(
        client.post("/graphql", json={"query": ANY_QUERY, "variables": variables})
    )
    assert body is not None


@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda a, b: a + b"\xff\xfe\xc3(" + b, st.binary(max_size=50), st.binary(max_size=50)
        ),
        JSON.map(lambda v: json.dumps(v).encode()),
    )
)
@settings(FUZZ, max_examples=100)
def test_any_body_bytes_are_refused_cleanly(raw: bytes, client: httpx.Client) -> None:
    response = client.post("/graphql", content=raw, headers={"content-type": "application/json"})
    refused_cleanly(response)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"query": "{ graphInfo { version } }\xff\xfe"}',  # not UTF-8
        b'{"query": "query($s: String) { treatments(search: $s) { totalCount } }", "variables": {"s": "\\ud800"}}',
        b'"just a string"',
        b"null",
        b"42",
        b"[]",
        b'[{"query": "{ graphInfo { version } }"}]',
        b'{"query": "{ graphInfo { version } }", "variables": {"x": '
        + b"[" * 5000
        + b"]" * 5000
        + b"}}",
        b'{"query": "{ graphInfo { version } }", "variables": {"x": '
        + b'{"a":' * 3000
        + b"1"
        + b"}" * 3000
        + b"}}",
    ],
    ids=[
        "non-utf8",
        "lone-surrogate",
        "string",
        "null",
        "number",
        "empty-batch",
        "batch",
        "deep-lists",
        "deep-objects",
    ],
)
def test_malformed_bodies_are_a_400(raw: bytes, client: httpx.Client) -> None:
    response = client.post("/graphql", content=raw, headers={"content-type": "application/json"})
    refused_cleanly(response)
    assert response.status_code == 400


def test_control_characters_and_bidi_overrides_are_just_text(client: httpx.Client) -> None:
    nasty = "\x00\x01\x07\x1b[31m\u202e\u2066\ufeff\r\n\t" + "PT x6"
    body = refused_cleanly(
        client.post(
            "/graphql",
            json={
                "query": ANY_QUERY,
                "variables": {
                    "input": {
                        "date": "2015-06-01",
                        "diagnoses": [nasty],
                        "services": [{"text": nasty}],
                    },
                    "s": nasty,
                    "id": nasty,
                    "d": None,
                    "n": 5,
                },
            },
        )
    )
    assert (
        body and "errors" not in body and body["data"]["resolve"]["__typename"] == "ResolveSuccess"
    )


def test_deeply_nested_lists_in_variables_are_refused(client: httpx.Client) -> None:
    nested = "[" * 600 + '"M54.5"' + "]" * 600
    raw = (
        '{"query": "query($x: [String!]!) { resolve(input: {date: \\"2015-06-01\\", diagnoses: $x, '
        'services: [{text: \\"PT\\"}]}) { __typename } }", "variables": {"x": ' + nested + "}}"
    ).encode()
    body = refused_cleanly(
        client.post("/graphql", content=raw, headers={"content-type": "application/json"})
    )
    assert body and body["errors"] and "data" in body and body["data"] is None


def test_one_megabyte_strings(server: Server, client: httpx.Client) -> None:
    over = client.post("/graphql", json={"query": ANY_QUERY, "variables": {"s": "x" * 1_000_000}})
    assert over.status_code == 413
    almost = "word " * 190_000  # 950 KB: inside the body limit, so it reaches the resolvers
    for query, variables in (
        (
            "query($s: String) { treatments(search: $s) { totalCount } conditions(search: $s) { totalCount } "
            "sections(filter: {search: $s}) { totalCount } }",
            {"s": almost},
        ),
        ("query($s: String!) { parseLetter(text: $s) { __typename } }", {"s": almost}),
        ("query($s: String!) { auditLetter(text: $s) { __typename } }", {"s": almost}),
        (
            "query($i: ResolveInput!) { resolve(input: $i) { __typename ... on InvalidInput { message } } }",
            {
                "i": {
                    "date": "2015-06-01",
                    "diagnoses": [almost[:400_000]],
                    "services": [{"text": almost[:500_000]}],
                }
            },
        ),
    ):
        before = cpu_seconds(server.pid)
        response = client.post("/graphql", json={"query": query, "variables": variables})
        refused_cleanly(response)
        assert (
            response.status_code == 200 and cpu_seconds(server.pid) - before < 3.0
        )  # about 0.5 s here


# --- query shapes refused within their budgets ----------------------------------------------------


def test_fragment_cycles_are_refused(client: httpx.Client) -> None:
    for query in (
        "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        "query { ...A } fragment A on Query { graphInfo { version } ...A }",
        'query { treatment(id: "tx:cyclobenzaprine") { ...T } } '
        "fragment T on Treatment { broader { ...U } } fragment U on Treatment { narrower { ...T } }",
    ):
        body = refused_cleanly(client.post("/graphql", json={"query": query}))
        assert body and body["data"] is None and "within itself" in body["errors"][0]["message"]


def test_wide_queries(server: Server, client: httpx.Client) -> None:
    wide = "{ " + " ".join(f"f{i}: graphInfo {{ version }}" for i in range(5000)) + " }"
    body = refused_cleanly(client.post("/graphql", json={"query": wide}))
    assert body and body.get("data") is None and "tokens" in body["errors"][0]["message"]
    spread = (
        "query { " + "...F " * 1500 + "} fragment F on Query { graphInfo { version } }"
    )  # 3000 tokens
    before = cpu_seconds(server.pid)
    body = refused_cleanly(client.post("/graphql", json={"query": spread}))
    assert (
        body and body["data"]["graphInfo"]["version"] and cpu_seconds(server.pid) - before < 2.0
    )  # 0.05 s here


def test_deeply_nested_literals_are_refused(client: httpx.Client) -> None:
    for literal in ("[" * 1900 + "]" * 1900, "{a: " * 1300 + "1" + "}" * 1300):
        body = refused_cleanly(
            client.post(
                "/graphql", json={"query": f"{{ treatments(search: {literal}) {{ totalCount }} }}"}
            )
        )
        assert body and body["errors"] and body.get("data") is None


@pytest.mark.parametrize(
    "query",
    [
        "{ documents { sections { addresses { sections { addresses { id } } } } } }",
        "{ treatments(first: 100) { edges { node { sections { addresses { sections { id } } } } } } }",
        "query($n: Int!) { conditions(first: $n) { edges { node { sections { addresses { narrower { id label } } } } } } }",
        "{ a: documents { ...D } b: documents { ...D } } fragment D on GuidelineDocument { sections { addresses { "
        "sections { id } } } }",
    ],
)
def test_huge_answers_are_refused_before_any_work(
    query: str, server: Server, client: httpx.Client
) -> None:
    before = cpu_seconds(server.pid)
    body = refused_cleanly(client.post("/graphql", json={"query": query, "variables": {"n": 100}}))
    assert (
        body
        and body.get("data") is None
        and "more than the 100,000 allowed" in body["errors"][0]["message"]
    )
    assert cpu_seconds(server.pid) - before < 1  # building such an answer would take many seconds


def test_a_slow_query_is_cut_at_its_budget_and_stops_working(cut_server: Server) -> None:
    """Small enough to pass the static limits, slow because of its variables: a 503 at the time
    budget, and the worker then stops spending CPU on it (it does not run on in the background). The
    batch takes seconds of CPU on this machine and the server's budget is a quarter second, so it is
    cut on any machine (on the module server, with a 2 s budget, it was skipped when a host finished
    it)."""
    heavy = """query($input: ResolveInput!) { resolve(input: $input) { ... on ResolveSuccess { services {
      request outcome trace problems candidates { text pages guideline evidenceStep recommendation
        guidelineSection { id title aliases sources addresses { id label aliases brandNames } } }
      criteria { id text status needs criterion { id kind text sources } } } } } }"""
    services = [{"text": f"acupuncture x{i % 20 + 1} sessions {i} cervical"} for i in range(2000)]
    with httpx.Client(base_url=cut_server.base, timeout=30) as client:
        before = cpu_seconds(cut_server.pid)
        response = client.post(
            "/graphql",
            json={
                "query": heavy,
                "variables": {
                    "input": {
                        "date": "2017-02-01",
                        "diagnoses": ["M54.2", "neck pain"],
                        "services": services,
                    }
                },
            },
        )
        spent = cpu_seconds(cut_server.pid) - before
        assert (
            response.status_code == 503
            and response.json()["errors"][0]["message"] == "time budget exceeded"
        )
        # cut at the budget, not answered late: the whole batch costs several times this in CPU
        assert spent < CUT_BUDGET_S + 0.75, spent
        time.sleep(0.3)
        before = cpu_seconds(cut_server.pid)
        time.sleep(1.0)
        assert cpu_seconds(cut_server.pid) - before < 0.2  # in that second: nothing runs on
        body = refused_cleanly(client.post("/graphql", json={"query": "{ graphInfo { version } }"}))
        assert body and body["data"]["graphInfo"]["version"]  # and the server still answers
    assert "Traceback" not in cut_server.log_text()


# --- security -------------------------------------------------------------------------------------


def test_the_api_is_read_only(client: httpx.Client) -> None:
    body = client.post(
        "/graphql",
        json={"query": "{ __schema { mutationType { name } subscriptionType { name } } }"},
    )
    assert body.json()["data"]["__schema"] == {"mutationType": None, "subscriptionType": None}
    from graphql_api.schema import schema

    assert (
        schema.as_str().count("type Mutation") == 0 and "type Subscription" not in schema.as_str()
    )
    sdl = (ROOT / "graphql_api" / "schema.graphql").read_text()
    assert "type Mutation" not in sdl and "type Subscription" not in sdl
    refused = client.post("/graphql", json={"query": "mutation { resolve }"})
    assert refused.status_code in (200, 400) and "Traceback" not in refused.text


def test_admin_reload_wants_the_right_bearer_token(tmp_path: Path) -> None:
    env = {
        "GUIDELINE_KG_ADMIN_TOKEN": "right-token-7c2",
        "GUIDELINE_KG_DATA_DIR": str(ROOT / "tests/data/graph"),
    }
    with Server(env=env, log=tmp_path / "serve.log") as running:
        url = f"{running.base}/admin/reload"
        for headers in (
            {},
            {"authorization": "Bearer wrong"},
            {"authorization": "right-token-7c2"},
            {"authorization": "Basic right-token-7c2"},
            {"authorization": "Bearer right-token-7c2x"},
        ):
            assert httpx.post(url, headers=headers, timeout=10).status_code in (401, 403)
        assert httpx.get(url, timeout=10).status_code in (404, 405)
        assert (
            httpx.post(
                url, headers={"authorization": "Bearer right-token-7c2"}, timeout=60
            ).status_code
            == 200
        )
    assert "right-token-7c2" not in (tmp_path / "serve.log").read_text()


def test_no_admin_endpoint_without_a_token(client: httpx.Client) -> None:
    assert client.post(
        "/admin/reload", headers={"authorization": "Bearer anything"}
    ).status_code in (404, 405)


def test_the_explorer_page_is_locked_down(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    csp = {
        d.split()[0]: d.split()[1:]
        for d in response.headers["content-security-policy"].split(";")
        if d.strip()
    }
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert (
        response.headers["referrer-policy"] == "no-referrer"
        and response.headers["x-frame-options"] == "DENY"
    )
    assert (
        "access-control-allow-origin"
        not in client.get("/", headers={"origin": "https://evil.example"}).headers
    )


def test_dependency_floors() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = {r.name: r.specifier for r in map(Requirement, project["dependencies"])}
    assert (
        "0.315.6" not in required["strawberry-graphql"]
    )  # fixes of GHSA advisories on its GraphQL handling
    assert "0.50.9" not in required["uvicorn"]  # the supervisor guideline_kg/cli_serve.py extends
    # bounded above as well as below: the code relies on their behaviour (no major we have not
    # tested)
    assert all(
        any(s.operator in ("<", "<=", "==", "~=") for s in spec)
        for name, spec in required.items()
        if name != "setuptools"
    ), required
    assert any(d.startswith("schemathesis") for d in project["optional-dependencies"]["test"])


# --- last: the server took all of this without a fault --------------------------------------------


def test_zz_the_server_logged_no_fault(server: Server) -> None:
    assert server.process.poll() is None
    text = server.log_text()
    assert "POST /graphql" in text
    assert "Traceback" not in text and "guideline_kg.faults" not in text and " 500 " not in text, (
        text[-3000:]
    )
