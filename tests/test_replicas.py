"""Many replicas over one graph store: `guideline-kg publish` into Oxigraph's own server (`oxigraph
serve`, a SPARQL 1.1 Graph Store Protocol endpoint) on loopback, replicas that build their index
from it (`guideline-kg serve --source`, and the app with `Settings.source`), a new version picked up
by every replica, a broken graph refused, and a store that goes away while the replicas serve."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphql_api import graph_store
from graphql_api.app import create_app
from graphql_api.graph_store import GraphStore
from graphql_api.settings import Settings
from guideline_kg.cli import main
from kg.errors import DataFileError
from kg.index import GuidelineIndex
from kg.load import parse_data
from loadtest.server import LOOPBACK, Server, free_port, serve_command

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "graph"
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
    "oxigraph"
)
pytestmark = pytest.mark.skipif(
    OXIGRAPH is None,
    reason="the oxigraph server is not installed (pip install -e '.[test]' installs `oxigraph`)",
)

RESOLVE = """query($input: ResolveInput!) { graphInfo { version counts { triples sections } }
  resolve(input: $input) { __typename
  ... on ResolveSuccess { services { request outcome quantity
      governing { text pages guideline guidelineSection { id } } criteria { id status needs } trace } }
  ... on InvalidInput { message field } } }"""
# the seed letter's four services (tests/test_resolve_spec.py), each with its diagnoses
SEED = [
    ("PHYSICAL THERAPY X6", ["low back pain", "myalgia"], "98-99"),
    ("CYCLOBENZAPRINE", ["low back pain"], "41-42"),
    ("KETOPROFEN", ["low back pain"], "67-73"),
    ("SPINE SURGERY CONSULTATION", ["low back pain", "radiculopathy"], "305-306"),
]
SEARCH = '{ treatments(search: "zorbatrin") { edges { node { id } } } }'


class Store:
    """`oxigraph serve` on a loopback port, its data in a folder so that it can stop and start."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}/store"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Store:
        assert OXIGRAPH is not None
        self.process = subprocess.Popen(
            [
                OXIGRAPH,
                "serve",
                "--location",
                str(self.folder),
                "--bind",
                f"{LOOPBACK}:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, "the store to answer")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)

    def _answers(self) -> bool:
        assert self.process is not None and self.process.poll() is None, "oxigraph serve exited"
        try:
            httpx.get(self.url, params={"graph": "urn:x"}, timeout=2)
        except httpx.TransportError:
            return False
        return True


def wait_for(done: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.1)


def publish(store: Store, *args: str) -> int:
    return main(["publish", "--to", store.url, *args])


@pytest.fixture(scope="module")
def shipped_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store for the module's checks on the shipped graph, published once."""
    store = Store(tmp_path_factory.mktemp("oxigraph-shipped")).start()
    try:
        assert publish(store) == 0
        yield store
    finally:
        store.stop()


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(tmp_path_factory.mktemp("oxigraph-mini")).start()
    try:
        assert publish(store, "--data-dir", str(MINI)) == 0
        yield store
    finally:
        store.stop()


def app_client(settings: Settings) -> TestClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's notice that its TestClient prefers httpx2
        return TestClient(create_app(settings))


def answers(post: Callable[..., httpx.Response]) -> list[dict[str, Any]]:
    out = []
    for text, diagnoses, _ in SEED:
        variables = {
            "input": {"date": "2013-12-10", "diagnoses": diagnoses, "services": [{"text": text}]}
        }
        response = post("/graphql", json={"query": RESOLVE, "variables": variables})
        assert response.status_code == 200, response.text
        out.append(response.json())
    return out


def test_replicas_over_the_store_answer_as_the_embedded_graph(
    shipped_store: Store, index: GuidelineIndex, tmp_path: Path
) -> None:
    env = {"GUIDELINE_KG_SOURCE": shipped_store.url, "GUIDELINE_KG_CACHE_DIR": str(tmp_path)}
    with (
        Server(env=env, log=tmp_path / "replica.log") as process_replica,
        app_client(Settings(source=shipped_store.url, source_poll_s=0)) as app_replica,
        app_client(Settings()) as embedded,
    ):
        base = process_replica.base
        expected = answers(embedded.post)
        assert answers(lambda path, **kw: httpx.post(base + path, timeout=30, **kw)) == expected
        assert answers(app_replica.post) == expected
        health = [httpx.get(f"{base}/healthz").json(), app_replica.get("/healthz").json()]
    # the same graph has the same version wherever it is served from
    assert {h["version"] for h in health} == {index.version}
    assert all(h["source"]["state"] == "reachable" for h in health)
    for (text, _, pages), answer in zip(SEED, expected, strict=True):
        (service,) = answer["data"]["resolve"]["services"]
        assert service["outcome"] == "RESOLVED" and service["governing"]["pages"] == pages, text
    assert expected[0]["data"]["graphInfo"]["version"] == index.version


def test_a_graph_that_fails_validate_is_not_published(
    shipped_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = GraphStore(shipped_store.url).published()
    broken = tmp_path / "data"
    shutil.copytree(MINI, broken)
    shutil.copy(DATA / "invalid" / "section-without-recommendation.ttl", broken)
    assert publish(shipped_store, "--data-dir", str(broken)) == 1
    err = capsys.readouterr().err
    assert "gl:recommendation" in err and "guideline-kg publish: " in err
    assert GraphStore(shipped_store.url).published() == before


def test_a_replica_of_a_store_with_nothing_published_does_not_start(tmp_path: Path) -> None:
    empty = Store(tmp_path / "empty").start()
    try:
        started = subprocess.run(
            [*serve_command(), "serve", "--source", empty.url, "--port", str(free_port())],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        empty.stop()
    assert started.returncode == 1
    assert started.stderr.strip().splitlines() == [
        f"guideline-kg serve: no graph published to {empty.url} "
        f"(guideline-kg publish --to {empty.url})"
    ]


def test_an_unreachable_store_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = f"http://{LOOPBACK}:{free_port()}/store"
    assert main(["publish", "--to", gone, "--data-dir", str(MINI)]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"guideline-kg publish: graph store {gone} unreachable ([Errno 111] Connection refused)"
    ]
    # credentials in the URL (HTTP Basic) never reach a message
    secret = gone.replace("http://", "http://curator:s3cret-pw@")
    assert main(["publish", "--to", secret, "--data-dir", str(MINI)]) == 1
    told = capsys.readouterr().err
    assert "s3cret-pw" not in told and "curator" not in told and gone in told
    port = str(free_port())
    started = subprocess.run(
        [*serve_command(), "serve", "--source", gone, "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    assert started.stderr.strip().splitlines() == [
        f"guideline-kg serve: graph store {gone} unreachable ([Errno 111] Connection refused)"
    ]


def test_a_graph_changed_in_the_store_after_its_publish_is_refused(mini_store: Store) -> None:
    store = GraphStore(mini_store.url)
    record = store.published()
    assert record is not None
    graph = store.graph(record)
    assert graph is not None
    edited = parse_data(
        graph.serialize(format="nt", encoding="utf-8").replace(b"muscle relaxants", b"opioids"),
        "nt",
        "edited",
    )
    store.put(record.graph, edited)  # same size, other content: only the digest tells
    try:
        with pytest.raises(DataFileError, match="differs from the published digest"):
            graph_store.load_index(mini_store.url)
    finally:
        store.put(record.graph, graph)
    assert graph_store.load_index(mini_store.url).version == record.version


def test_every_replica_swaps_to_a_newly_published_version(
    mini_store: Store, tmp_path: Path
) -> None:
    settings = Settings(source=mini_store.url, source_poll_s=0.2)
    with app_client(settings) as one, app_client(settings) as two:
        old = one.get("/healthz").json()["version"]
        assert two.get("/healthz").json()["version"] == old
        assert (
            one.post("/graphql", json={"query": SEARCH}).json()["data"]["treatments"]["edges"] == []
        )
        changed = tmp_path / "data"
        shutil.copytree(MINI, changed)
        (changed / "alias.ttl").write_text(
            "@prefix tx: <https://w3id.org/guideline-kg/id/treatment/> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            'tx:cyclobenzaprine skos:altLabel "Zorbatrin" .\n'
        )
        assert publish(mini_store, "--data-dir", str(changed)) == 0
        new = GraphStore(mini_store.url).published()
        assert new is not None and new.version != old and new.previous == old
        for replica in (one, two):
            wait_for(lambda r=replica: r.get("/healthz").json()["version"] == new.version, "a swap")
            found = replica.post("/graphql", json={"query": SEARCH}).json()["data"]
            assert found["treatments"]["edges"] == [{"node": {"id": "tx:cyclobenzaprine"}}]
            health = replica.get("/healthz").json()
            assert health["reload"]["status"] == "reloaded"
            assert health["source"] == {**health["source"], "published": new.version}


def test_a_store_that_goes_away_leaves_the_replicas_serving(
    mini_store: Store, tmp_path: Path
) -> None:
    env = {
        "GUIDELINE_KG_SOURCE": mini_store.url,
        "GUIDELINE_KG_SOURCE_POLL_S": "0.2",
        "GUIDELINE_KG_CACHE_DIR": str(tmp_path),
    }
    with Server(env=env, log=tmp_path / "replica.log") as replica:

        def health() -> dict[str, Any]:
            return httpx.get(f"{replica.base}/healthz", timeout=10).json()

        def ask() -> list[dict[str, Any]]:
            return answers(lambda path, **kw: httpx.post(replica.base + path, timeout=30, **kw))

        serving, before = health()["version"], ask()
        mini_store.stop()
        try:
            wait_for(lambda: health()["source"]["state"] == "unreachable", "/healthz to say so")
            after = health()
            assert (
                after["status"] == "ok" and after["version"] == serving and after["source"]["since"]
            )
            assert ask() == before  # the last good graph, answering as before
        finally:
            mini_store.start()
        wait_for(lambda: health()["source"]["state"] == "reachable", "the store to be seen again")
        assert health()["version"] == serving
    log = replica.log_text()
    assert "graph store unreachable, still serving the last good graph" in log
    assert "graph store reachable again" in log
