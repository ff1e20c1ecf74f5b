"""Health information never lands anywhere but the response: letters (parseLetter, auditLetter) and
resolve requests carrying a unique marker, by POST and by GET (whose query string a server's access
log would record by default), are sent to `guideline-kg serve` running with its working folder,
home, temp and cache folders in a temp tree and its stdout/stderr captured. Afterwards the marker
is in no log line and in no file the service wrote (the start-up cache included). An unreadable
letter's error message does not quote the letter.

Only the folders the service was given are searched, never the system /tmp: other programs write
and remove their own folders there at any moment (a walk of /tmp crashed when one vanished), and
what they write is not ours to read. That those folders are the only places the service writes is
held by its code naming no fixed system folder (the last test): it takes tempfile's folder, which
follows TMPDIR, and the cache folder from GUIDELINE_KG_CACHE_DIR / XDG_CACHE_HOME / HOME.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from loadtest.server import Server  # noqa: E402

LETTERS = sorted((ROOT / "tests" / "data" / "letters").glob("*.txt"))
MARKER = f"PHIMARK{uuid.uuid4().hex[:16].upper()}"
PARSE = """query($text: String!) { parseLetter(text: $text) { __typename
  ... on LetterReading { dwcCaseNumber case { diagnoses } items { heading service rationaleText } }
  ... on UnreadableLetter { kind message } } }"""
AUDIT = """query($text: String!) { auditLetter(text: $text) { __typename
  ... on LetterAudit { findings { kind message evidence } reading { items { service } } }
  ... on UnreadableLetter { kind message } } }"""
RESOLVE = """query($input: ResolveInput!) { resolve(input: $input) { __typename
  ... on ResolveSuccess { services { request outcome trace problems } }
  ... on InvalidInput { message field } } }"""


def with_marker(text: str) -> str:
    """The letter with the marker in its first lines, its middle and its end."""
    lines = text.splitlines()
    middle = len(lines) // 2
    lines[2:2] = [f"Patient name: {MARKER} Smith"]
    lines[middle:middle] = [f"diagnosed with {MARKER} syndrome"]
    return "\n".join([*lines, f"Reviewer note {MARKER}."])


@dataclass
class Run:
    root: Path  # everything the service was given: working folder, home, temp, cache, data, its log
    log: Path
    responses: list[httpx.Response]


def schema_has(server: Server, field: str) -> bool:
    body = httpx.post(
        f"{server.base}/graphql",
        json={"query": "{ __schema { queryType { fields { name } } } }"},
        timeout=10,
    ).json()
    return field in {f["name"] for f in body["data"]["__schema"]["queryType"]["fields"]}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("privacy")
    for folder in ("work", "home", "tmp", "cache"):
        (root / folder).mkdir()
    shutil.copytree(ROOT / "tests" / "data" / "graph", root / "data")
    env = {
        "GUIDELINE_KG_CACHE_DIR": str(root / "cache"),
        "HOME": str(root / "home"),
        "XDG_CACHE_HOME": str(root / "home" / ".cache"),
        "TMPDIR": str(root / "tmp"),
    }
    log = root / "serve-stdout-stderr.log"
    responses: list[httpx.Response] = []
    with Server(data_dir=root / "data", env=env, log=log, cwd=root / "work") as server:
        assert schema_has(server, "resolve")
        url = f"{server.base}/graphql"
        with httpx.Client(timeout=30) as client:

            def post(query: str, variables: dict[str, Any]) -> None:
                responses.append(client.post(url, json={"query": query, "variables": variables}))

            def get(query: str, variables: dict[str, Any]) -> None:
                responses.append(
                    client.get(url, params={"query": query, "variables": json.dumps(variables)})
                )

            # The letters are the health information this test is about: a schema without their
            # fields fails here rather than passing on the resolver's requests alone.
            assert schema_has(server, "parseLetter") and schema_has(server, "auditLetter")
            for letter in LETTERS:
                text = with_marker(letter.read_text(encoding="utf-8"))
                post(PARSE, {"text": text})
                post(AUDIT, {"text": text})
                get(PARSE, {"text": text})  # a letter in the query string
                get(AUDIT, {"text": text})
            for unreadable in (
                f"{MARKER} this is no letter at all",
                f"Dear {MARKER},\n\n" + "x " * 500,
                MARKER,
            ):
                post(PARSE, {"text": unreadable})
                post(AUDIT, {"text": unreadable})
            request = {
                "date": "2016-03-10",
                "diagnoses": [f"{MARKER} low back pain", MARKER],
                "services": [{"text": f"PT x6 for {MARKER}"}, {"text": MARKER}],
                "facts": {"surgery": f"{MARKER} fusion", "phase": "CHRONIC"},
            }
            post(RESOLVE, {"input": request})
            get(RESOLVE, {"input": request})
            post(RESOLVE, {"input": {**request, "date": MARKER}})  # refused: an invalid date
            post(
                RESOLVE, {"input": {**request, "services": [{"text": MARKER * 200}]}}
            )  # refused: too long
            get(
                f'{{ treatment(id: "{MARKER}") {{ id }} {MARKER} }}', {}
            )  # refused: the marker in the query
            responses.append(
                client.post(
                    url,
                    content=f'{{"query": "{MARKER}'.encode(),
                    headers={"content-type": "application/json"},
                )
            )  # malformed JSON
            responses.append(
                client.get(f"{server.base}/{MARKER}?q={MARKER}")
            )  # a 404 of the explorer
    yield Run(root, log, responses)


def test_the_requests_were_answered_and_carried_the_marker(run: Run) -> None:
    """The marker reached the service and came back in answers: its absence elsewhere means
    something."""
    answered = [r for r in run.responses if r.status_code == 200]
    assert len(answered) >= len(LETTERS) * 4
    assert sum(MARKER in r.text for r in answered) >= len(LETTERS) * 2
    readings = [r.json()["data"]["parseLetter"] for r in answered if "parseLetter" in r.text]
    assert any(reading["__typename"] == "LetterReading" for reading in readings)


def test_the_marker_is_in_no_log_line(run: Run) -> None:
    text = run.log.read_text(errors="replace")
    assert "POST /graphql 200" in text and "GET /graphql 200" in text  # the access log was on
    assert MARKER not in text and MARKER.lower() not in text.lower()
    assert "?query=" not in text and "variables=" not in text


def test_the_marker_is_in_no_file_the_service_wrote(run: Run) -> None:
    """The service has stopped: nothing writes to its folders any more, so the walk sees all of
    it."""
    written = [p for p in run.root.rglob("*") if p.is_file()]
    assert any(
        p.name.startswith("index-") and p.suffix == ".pickle" for p in written
    )  # the cache was written
    leaking = [
        p
        for p in written
        if MARKER.encode() in p.read_bytes() or MARKER.encode("utf-16-le") in p.read_bytes()
    ]
    assert not leaking


# A fixed folder outside what the service is given, as a string literal in its code.
FIXED_FOLDER = re.compile(r"""["'](?:/tmp|/var/tmp|/dev/shm|/var/log|/run)(?:/|["'])""")


def test_the_service_writes_only_where_it_is_told() -> None:
    """The searches above cover every place the service writes only if it writes nowhere else: its
    code (kg/, graphql_api/) names no fixed system folder, and every temporary file is made by
    tempfile (TMPDIR) or in the cache folder."""
    sources = [p for folder in ("kg", "graphql_api") for p in (ROOT / folder).rglob("*.py")]
    assert len(sources) > 10
    fixed = [
        f"{p.relative_to(ROOT)}: {m.group()}"
        for p in sources
        for m in FIXED_FOLDER.finditer(p.read_text())
    ]
    assert not fixed
    assert FIXED_FOLDER.search('open("/tmp/x.txt", "w")') and FIXED_FOLDER.search(
        "Path('/var/tmp')"
    )


def test_an_unreadable_letter_is_not_quoted_back(run: Run) -> None:
    refusals = [
        r.json()["data"][name]
        for r in run.responses
        if r.status_code == 200
        for name in ("parseLetter", "auditLetter")
        if name in (r.json().get("data") or {})
        and r.json()["data"][name]["__typename"] == "UnreadableLetter"
    ]
    assert len(refusals) >= 4
    for refusal in refusals:
        assert (
            refusal["message"]
            and MARKER not in refusal["message"]
            and MARKER not in refusal["kind"]
        )


def test_error_messages_do_not_echo_request_content_needlessly(run: Run) -> None:
    """Refusals of oversized text and malformed bodies name the problem, not the content."""
    for response in run.responses:
        if response.status_code >= 400:
            assert MARKER not in response.text
    too_long = [r for r in run.responses if "longer than" in r.text]
    assert too_long and all(MARKER not in r.text for r in too_long)
