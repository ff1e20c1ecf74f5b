"""What a client, a crash or a bad file must not do to `guideline-kg serve` (issue 18), each tried
on a real server process on loopback: connections that never send a request, drip their headers or
send megabytes of them; a worker killed under load (replaced; the other worker loses nothing); a
worker killed after a refused reload (the replacement serves the last good graph); SIGHUP during
start-up; a data folder without the MTUS; an unsafe or broken start-up cache; paths in the log.

No assertion here is about how fast something happens: "eventually" has generous deadlines."""

from __future__ import annotations

import http.client
import json
import logging
import os
import pickle
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import kg  # noqa: E402
from kg.cache import index_key  # noqa: E402
from kg.load import ONTOLOGY_DIR  # noqa: E402
from loadtest.server import LOOPBACK, Server, socket_owner  # noqa: E402
from tests.test_reliability import wait_for  # noqa: E402

MINI = ROOT / "tests" / "data" / "graph"
TOKEN = "test-admin-token-9c2d"
VERSION = json.dumps({"query": "{ graphInfo { version } }"}).encode()
BROKEN_TURTLE = (
    "@prefix gl: <https://w3id.org/guideline-kg/ontology#> .\ngl:a gl:b ;;; this is not Turtle\n"
)
MARKER = "MARKER-41d7-PATIENT"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(MINI, folder)
    return folder


@pytest.fixture(scope="module")
def mini_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small graph built and checked once, as a server caches it (a copy of MINI has the same
    key)."""
    folder = tmp_path_factory.mktemp("mini-cache") / "cache"
    kg.load_index(MINI, cache_dir=folder, check=True)
    return folder


def env_for(tmp_path: Path, seed: Path | None = None, **extra: str) -> dict[str, str]:
    if seed is not None and not (tmp_path / "cache").exists():
        shutil.copytree(seed, tmp_path / "cache")
    return {"GUIDELINE_KG_CACHE_DIR": str(tmp_path / "cache"), **extra}


def healthz(server: Server) -> dict[str, Any]:
    response = httpx.get(f"{server.base}/healthz", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def version_of(server: Server) -> str:
    response = httpx.post(
        f"{server.base}/graphql",
        content=VERSION,
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["graphInfo"]["version"])


def connect(server: Server) -> socket.socket:
    return socket.create_connection((LOOPBACK, server.port), timeout=10)


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed the connection (whatever it wrote before)."""
    sock.settimeout(0.05)
    try:
        while chunk := sock.recv(65536):
            del chunk
        return True
    except TimeoutError:
        return False
    except OSError:
        return True


# --- item 1: connections held by clients ----------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, mini_cache: Path) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("guarded")
    env = env_for(
        tmp, mini_cache, GUIDELINE_KG_HEADER_TIMEOUT_S="2", GUIDELINE_KG_MAX_HEADER_BYTES="16384"
    )
    with Server(data_dir=MINI, env=env, log=tmp / "serve.log") as server:
        yield server


def test_idle_and_slow_connections_are_closed_and_healthz_answers(guarded: Server) -> None:
    """Connections that never send a request and connections that drip a header byte at a time hold
    a worker's sockets only for the head timeout; /healthz answers all the while."""
    idle = [connect(guarded) for _ in range(150)]
    slow = [connect(guarded) for _ in range(20)]
    stop = threading.Event()

    def drip() -> None:
        for sock in slow:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ")
        while not stop.wait(0.3):
            for sock in slow:
                try:
                    sock.sendall(b"a")
                except OSError:
                    continue

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        assert healthz(guarded)["status"] == "ok"  # while all are held
        wait_for(
            lambda: all(closed_by_server(s) for s in idle),
            what="idle connections closed by the server",
        )
        wait_for(
            lambda: all(closed_by_server(s) for s in slow),
            what="dripping connections closed by the server",
        )
        assert healthz(guarded)["status"] == "ok"
    finally:
        stop.set()
        dripper.join(10)
        for sock in idle + slow:
            sock.close()


def test_a_request_head_over_the_cap_closes_the_connection(guarded: Server) -> None:
    """httptools has no limit of its own: 8 MB of one header are refused after the cap (431,
    closed), never buffered whole; the server then answers the next client."""
    for _ in range(3):
        sock = connect(guarded)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ")
        refused = False
        try:
            for _ in range(128):
                sock.sendall(b"a" * 65536)
        except OSError:  # reset or broken pipe: the server closed the connection
            refused = True
        if not refused:
            refused = wait_for(
                lambda: closed_by_server(sock), what="the oversized head to be refused"
            )
        sock.close()
        assert refused
    assert healthz(guarded)["status"] == "ok"
    assert "request head over 16384 bytes" in guarded.log_text()


# --- item 7: the access log names routes, not paths -----------------------------------------------


def test_the_access_log_names_the_route_never_the_path(guarded: Server) -> None:
    """A path a client sends reaches no log line, whatever the status: 405 from the explorer's
    files, 413 by length, 404, 200. (DELETE /healthz is answered by the explorer's mount, which
    takes any method.)"""
    base = guarded.base
    assert httpx.post(f"{base}/{MARKER}", content=b"x", timeout=10).status_code == 405
    too_big = httpx.post(f"{base}/{MARKER}/graphql", content=b"x" * 1_100_000, timeout=30)
    assert too_big.status_code == 413
    assert httpx.get(f"{base}/{MARKER}.js", timeout=10).status_code == 404
    assert httpx.delete(f"{base}/healthz?{MARKER}", timeout=10).status_code == 405
    assert httpx.get(f"{base}/healthz?{MARKER}", timeout=10).status_code == 200
    text = wait_for(
        lambda: (t := guarded.log_text()).count("DELETE /{path} 405") and t, what="the log lines"
    )
    assert MARKER not in text
    assert (
        "POST /{path} 405" in text and "POST (no route) 413" in text and "GET /{path} 404" in text
    )


# --- items 2 and 3: a worker killed ---------------------------------------------------------------


class Clients:
    """Threads asking for the version over keep-alive connections; each connection is attributed to
    the worker that accepted it (from /proc) before it is used, so a failure is counted against a
    worker. A failed request is counted, never retried."""

    def __init__(self, server: Server, count: int = 4) -> None:
        self.server = server
        self.stop = threading.Event()
        self.ok = 0
        self.failures: list[tuple[int | None, str]] = []  # (worker pid, what)
        self.versions: set[str] = set()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(count)]

    def _connection(self) -> tuple[http.client.HTTPConnection, int | None]:
        conn = http.client.HTTPConnection(LOOPBACK, self.server.port, timeout=30)
        conn.connect()
        port = conn.sock.getsockname()[1]
        owner = None
        deadline = time.monotonic() + 5
        while owner is None and time.monotonic() < deadline:
            owner = socket_owner(port, self.server.port, self.server.worker_pids())
            if owner is None:
                time.sleep(0.02)
        return conn, owner

    def _run(self) -> None:
        conn, owner = self._connection()
        while not self.stop.is_set():
            try:
                conn.request(
                    "POST", "/graphql", body=VERSION, headers={"content-type": "application/json"}
                )
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"status {response.status}")
                with self.lock:
                    self.ok += 1
                    self.versions.add(json.loads(body)["data"]["graphInfo"]["version"])
            except Exception as exc:  # a dropped connection is a lost request
                with self.lock:
                    self.failures.append((owner, repr(exc)[:200]))
                conn.close()
                conn, owner = self._connection()
        conn.close()

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        wait_for(lambda: self.ok > 20, what="the clients' first answers")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def _replacement(server: Server, before: set[int], started_before: int) -> set[int]:
    """The worker pids once a new worker has replaced one and finished its start-up."""
    pids = set(server.worker_pids())
    started = server.log_text().count("Application startup complete")
    return pids if len(pids) == 2 and pids != before and started > started_before else set()


def test_a_killed_worker_is_replaced_and_the_other_loses_nothing(
    data_dir: Path, tmp_path: Path, mini_cache: Path
) -> None:
    with Server(
        workers=2, data_dir=data_dir, env=env_for(tmp_path, mini_cache), log=tmp_path / "serve.log"
    ) as server:
        workers = set(server.worker_pids())
        victim = min(workers)
        started = server.log_text().count("Application startup complete")
        with Clients(server) as clients:
            assert {owner for owner, _ in clients.failures} <= {None}
            time.sleep(0.5)
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            now = wait_for(
                lambda: _replacement(server, workers, started), what="a replacement worker"
            )
            took = time.monotonic() - killed_at
            ok_at_replacement = clients.ok
            wait_for(
                lambda: clients.ok > ok_at_replacement + 50, what="answers after the replacement"
            )
        print(
            f"replacement serving after {took:.2f} s; {clients.ok} answers, failures {clients.failures}"
        )
        assert victim not in now and len(now & workers) == 1
        assert clients.ok > 0 and all(owner == victim for owner, _ in clients.failures), (
            clients.failures
        )
        assert server.process.poll() is None and healthz(server)["status"] == "ok"


def test_after_a_refused_reload_a_replacement_serves_the_last_good_graph(
    data_dir: Path, tmp_path: Path, mini_cache: Path
) -> None:
    log = tmp_path / "serve.log"
    with Server(
        workers=2,
        data_dir=data_dir,
        env=env_for(tmp_path, mini_cache, GUIDELINE_KG_ADMIN_TOKEN=TOKEN),
        log=log,
    ) as server:
        old = version_of(server)
        (data_dir / "zz-broken.ttl").write_text(BROKEN_TURTLE, encoding="utf-8")
        refused = httpx.post(
            f"{server.base}/admin/reload", headers={"authorization": f"Bearer {TOKEN}"}, timeout=60
        )
        assert refused.status_code == 409
        server.signal(signal.SIGHUP)  # the other worker tries too (and refuses)
        wait_for(
            lambda: server.log_text().count("reload failed in process") >= 3,
            what="both workers' refusals",
        )
        workers = set(server.worker_pids())
        started = server.log_text().count("Application startup complete")
        os.kill(min(workers), signal.SIGKILL)
        wait_for(lambda: _replacement(server, workers, started), what="a replacement worker")
        assert server.process.poll() is None
        assert {version_of(server) for _ in range(30)} == {old}
        assert all(healthz(server).get("files") == "refused" for _ in range(10))
        assert "graph not loaded" not in server.log_text()


# --- item 4: SIGHUP during start-up ---------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_sighup_during_start_up_does_not_kill(workers: int, data_dir: Path, tmp_path: Path) -> None:
    """SIGHUP sent again and again while the server starts (an empty cache: the graph is built and
    checked): the server comes up and serves; a reload asked for is done once the graph is up."""
    server = Server(
        workers=workers,
        data_dir=data_dir,
        env=env_for(tmp_path),
        log=tmp_path / "serve.log",
        wait=False,
    )
    try:
        # from the moment our code runs (a signal before the interpreter has run any of it ends it,
        # as for any program): "Started ... process" comes before the graph is loaded
        wait_for(
            lambda: "Started" in server.log_text() or server.process.poll() is not None,
            60,
            "the process",
        )
        deadline = time.monotonic() + 90
        while (
            server.log_text().count("Application startup complete") < workers
            and time.monotonic() < deadline
        ):
            if server.process.poll() is not None:
                break
            server.signal(signal.SIGHUP)
            time.sleep(0.05)
        server.signal(signal.SIGHUP)
        server.wait_ready(60)
        assert server.process.poll() is None
        assert healthz(server)["status"] == "ok" and version_of(server) == index_key(
            data_dir, ONTOLOGY_DIR
        )
        text = server.log_text()
        assert (
            "Traceback" not in text and "died" not in text
        )  # no worker killed by the signal and replaced
    finally:
        server.stop()


# --- item 5: a graph without the MTUS -------------------------------------------------------------


def test_a_data_folder_without_the_mtus_is_refused(
    data_dir: Path, tmp_path: Path, mini_cache: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(kg.ValidationError, match="no MTUS adoption"):
        kg.load_index(empty, cache_dir=tmp_path / "cache", check=True)
    with pytest.raises(RuntimeError, match="serve exited with [1-9]") as failed:
        Server(data_dir=empty, env=env_for(tmp_path, mini_cache), log=tmp_path / "empty.log")
    assert "no MTUS adoption" in str(failed.value)

    with Server(
        data_dir=data_dir,
        env=env_for(tmp_path, mini_cache, GUIDELINE_KG_ADMIN_TOKEN=TOKEN),
        log=tmp_path / "serve.log",
    ) as server:
        old = version_of(server)
        for ttl in data_dir.glob("*.ttl"):
            ttl.unlink()
        response = httpx.post(
            f"{server.base}/admin/reload", headers={"authorization": f"Bearer {TOKEN}"}, timeout=60
        )
        assert response.status_code == 409 and "no MTUS adoption" in response.json()["error"]
        assert version_of(server) == old and healthz(server)["version"] == old


# --- item 6: the start-up cache -------------------------------------------------------------------


def test_a_failed_cache_write_leaves_no_temporary_file_and_logs_once(
    data_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (
        cache / f"index-{index_key(data_dir, ONTOLOGY_DIR)[:32]}.pickle"
    ).mkdir()  # a folder where the file goes
    caplog.set_level(logging.WARNING, logger="guideline_kg.cache")
    for _ in range(2):
        assert kg.load_index(data_dir, cache_dir=cache).version == index_key(data_dir, ONTOLOGY_DIR)
    assert [p.name for p in cache.iterdir() if p.name.endswith(".tmp")] == []
    warnings = [r for r in caplog.records if r.name == "guideline_kg.cache"]
    assert len(warnings) == 1 and "not written" in warnings[0].getMessage()


@pytest.mark.parametrize("unsafe", ["group-writable", "world-writable", "other-owner"])
def test_a_cache_folder_others_can_write_is_not_used(
    unsafe: str, data_dir: Path, tmp_path: Path
) -> None:
    """A planted index (here: whole and well-formed, but not the data's) is not read from a folder
    another user can write to, and nothing is written there."""
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    good = kg.build_from_files(data_dir, check=True)
    planted = cache / f"index-{good.version[:32]}.pickle"
    planted.write_bytes(pickle.dumps(replace(good, triples=-1)))
    if unsafe == "other-owner":
        if os.geteuid() != 0:
            pytest.skip("only root can give a folder to another user")
        os.chown(cache, 65534, 65534)
    else:
        cache.chmod(0o770 if unsafe == "group-writable" else 0o777)
    before = sorted(p.name for p in cache.iterdir())
    index = kg.load_index(data_dir, cache_dir=cache, check=True)
    assert index.triples == good.triples and index.triples > 0
    assert sorted(p.name for p in cache.iterdir()) == before
