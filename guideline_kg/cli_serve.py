"""`guideline-kg serve`: the GraphQL API and explorer under uvicorn.

The CLI is the composition root: graphql_api (strawberry, starlette) is imported only when the
command runs, so `kg` itself never depends on the web layer.

Under `--workers N` the supervisor is uvicorn's, with three changes (relies on uvicorn's
Multiprocess and Process, >=0.55,<0.56):
- liveness and start-up are separate: a serving worker that does not answer a ping within
  LIVENESS_S, or that died (seen at once, not after a ping's timeout), is replaced; a worker still
  loading the graph has WORKER_READY_S;
- a replacement that fails to start while other workers serve is retried later instead of
  stopping the service; the serving record (graphql_api.app) lets it start from the graph the
  others serve, not from files a reload refused;
- SIGHUP is passed on to the serving workers, which reload in place; a worker still starting is
  signalled once it serves (a signal before its handler exists would kill it).
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import logging
import os
import signal
import socket
import sys
import tempfile
import time
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, NoReturn

APP = "graphql_api.app:app_factory"
WORKER_READY_S = 90  # how long a new worker may take to load (and validate) the graph
STARTING_PING_S = 0.2  # how long the supervisor waits for a starting worker's answer on each round
# how long a serving worker may take to answer the supervisor's ping (a dead one is seen at once)
LIVENESS_S = 5
RETRY_S = (2.0, 60.0)  # first and longest wait before starting again a worker that failed to start
STARTUP_FAILURE = 3  # uvicorn's exit code for a worker whose start-up failed
# set by the supervisor for its workers (graphql_api.app)
SERVING_RECORD = "GUIDELINE_KG_SERVING_RECORD"

log = logging.getLogger("uvicorn.error")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "serve", help="serve the GraphQL API (/graphql), the explorer (/) and /healthz"
    )
    p.add_argument(
        "--host",
        default=None,
        help="address to listen on (default 127.0.0.1, or GUIDELINE_KG_HOST)",
    )
    p.add_argument(
        "--port", type=int, default=None, help="port (default 8000, or GUIDELINE_KG_PORT)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default 1, or GUIDELINE_KG_WORKERS)",
    )
    p.add_argument(
        "--data-dir",
        default=None,
        help="folder of the data Turtle files (or GUIDELINE_KG_DATA_DIR)",
    )
    p.add_argument(
        "--source",
        default=None,
        metavar="URL",
        help="serve the graph published to this SPARQL graph store (Graph Store Protocol URL; or "
        "GUIDELINE_KG_SOURCE) instead of the files",
    )


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from graphql_api.settings import Settings

    # Until the app (graphql_api.app's lifespan) or uvicorn's supervisor handles SIGHUP, its default
    # action would end the process. Before the graph is being read, a reload has nothing to do.
    signal.signal(signal.SIGHUP, _hup_before_start)
    if args.data_dir:  # workers read their settings from the environment
        os.environ["GUIDELINE_KG_DATA_DIR"] = str(args.data_dir)
    if args.source:
        os.environ["GUIDELINE_KG_SOURCE"] = args.source
    if args.workers:  # so a worker knows it has siblings (POST /admin/reload reloads them all)
        os.environ["GUIDELINE_KG_WORKERS"] = str(args.workers)
    settings = Settings.from_env()
    if settings.source:
        _check_source(settings)
    options = uvicorn_options(settings, host=args.host, port=args.port)
    # the port first: one already taken fails at once, not after the graph has loaded
    listener = _bind(options["host"], options["port"], options["backlog"])
    if listener is None:
        return 1
    workers = args.workers or settings.workers
    if workers > 1:
        return _serve_workers(workers, options, listener)
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal to the handler it
    # found: with this one, a drained single-process server exits 0 (the supervisor of --workers
    # does anyway).
    signal.signal(signal.SIGTERM, _exit_cleanly)
    config = uvicorn.Config(APP, factory=True, **options)
    server = uvicorn.Server(config)
    _say_listening(listener)
    server.run(sockets=[listener])
    if not server.started:  # the graph did not load (logged): not a clean exit
        return STARTUP_FAILURE
    return 0


def uvicorn_options(
    settings: Any, host: str | None = None, port: int | None = None
) -> dict[str, Any]:
    """uvicorn's settings from ours. The protocol classes (graphql_api.connections) bound the size
    of a request's head and the time to send it, for httptools as for h11; given by import string so
    that spawned workers can import them."""
    parser = "GuardedHttpToolsProtocol" if _has("httptools") else "GuardedH11Protocol"
    return dict(
        host=host or settings.host,
        port=port or settings.port,
        loop="uvloop" if _has("uvloop") else "auto",
        http=f"graphql_api.connections:{parser}",
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_keep_alive=settings.keep_alive_s,
        limit_concurrency=settings.limit_concurrency,
        backlog=settings.backlog,
        access_log=False,  # our own access log leaves out query strings (they can carry variables)
        server_header=False,
        proxy_headers=False,
        timeout_worker_healthcheck=LIVENESS_S,
    )


def _check_source(settings: Any) -> None:
    """A replica whose store cannot be reached, or holds no graph, is told at once in one line
    (exit 1), not after uvicorn's start-up failure."""
    from graphql_api.graph_store import GraphStore, NotPublished, shown
    from kg.errors import UsageError

    if settings.data_dir:
        raise UsageError("--source and --data-dir (GUIDELINE_KG_DATA_DIR) exclude each other")
    if GraphStore(settings.source).published() is None:
        url = shown(settings.source)
        raise NotPublished(f"no graph published to {url} (guideline-kg publish --to {url})")


def _bind(host: str, port: int, backlog: int) -> socket.socket | None:
    """The listening socket, bound before anything else (uvicorn binds only after the app's
    start-up, that is after the graph has loaded); connections wait in its backlog meanwhile.
    None, with one line on stderr, when the address cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT only
    try:
        sock.bind((host, port))
        # listening at once: two sockets with SO_REUSEADDR may both bind while neither listens
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            why = "is already in use (another guideline-kg serve?)"
        elif exc.errno == errno.EACCES:
            why = "needs privileges this user lacks"
        else:
            why = f"cannot be used ({exc.strerror or exc})"
        sys.stderr.write(
            f"guideline-kg serve: port {port} on {host} {why}; choose another with --port, "
            f"GUIDELINE_KG_PORT or make run PORT=...\n"
        )
        return None
    sock.set_inheritable(True)  # the workers of --workers listen on it
    return sock


def _say_listening(sock: socket.socket) -> None:
    # after uvicorn.Config, which sets up the logging (uvicorn says nothing of a socket given to it)
    host, port = sock.getsockname()[:2]
    log.info("Listening on http://%s:%d; the graph loads next", host, port)


def _serve_workers(workers: int, options: dict[str, Any], listener: socket.socket) -> int:
    import uvicorn

    with tempfile.TemporaryDirectory(prefix="guideline-kg-serving-") as private:
        os.environ[SERVING_RECORD] = str(Path(private) / "serving.json")
        # every worker's request metrics in files here, added up by /metrics (graphql_api.metrics)
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(Path(private) / "metrics"))
        Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(exist_ok=True)
        config = uvicorn.Config(APP, factory=True, workers=workers, **options)
        _say_listening(listener)
        supervisor = _supervisor_class()(config, sockets=[listener])
        supervisor.run()
        return STARTUP_FAILURE if supervisor.failed_to_start else 0


def _supervisor_class() -> type:
    from uvicorn.supervisors.multiprocess import Multiprocess, Process

    class Supervisor(Multiprocess):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.failed_to_start = False
            self.serving_once = False  # some worker has served: a failed start is then retried
            self.born: dict[int, float] = {}  # pid -> when it was started, until it serves
            self.retry_at: dict[
                int, float
            ] = {}  # index in self.processes -> when to start it again
            self.backoff: dict[int, float] = {}
            self.hup_pending: set[int] = set()
            self.served: set[int] = set()  # pids that have served (a hung one is not waited for)

        def keep_subprocess_alive(self) -> None:
            if self.should_exit.is_set():
                return
            for idx, process in enumerate(self.processes):
                if idx in self.retry_at:
                    self._retry(idx)
                    continue
                # a starting worker may not answer for a while (its pong thread is not up yet):
                # asked briefly, so that the others' liveness is not checked late
                state = _probe(
                    process, LIVENESS_S if process.pid in self.served else STARTING_PING_S
                )
                if state == "serving":
                    self._serving(idx, process)
                elif state in ("starting", "hung") and self._may_still_start(process):
                    continue  # loading the graph can keep a worker from answering for a while
                else:
                    self._replace(idx, process, state)
                if self.should_exit.is_set():
                    return

        def _may_still_start(self, process: Process) -> bool:
            if process.pid in self.served:
                return False
            return (
                time.monotonic() - self.born.setdefault(process.pid, time.monotonic())
                < WORKER_READY_S
            )

        def _serving(self, idx: int, process: Process) -> None:
            self.serving_once = True
            self.served.add(process.pid)
            self.born.pop(process.pid, None)
            self.backoff.pop(idx, None)
            if process.pid in self.hup_pending:
                self.hup_pending.discard(process.pid)
                os.kill(process.pid, signal.SIGHUP)

        def _replace(self, idx: int, process: Process, state: str) -> None:
            process.kill()  # a no-op for a dead one; a hung one is stopped
            process.join()
            self.born.pop(process.pid, None)
            self.served.discard(process.pid)
            self.hup_pending.discard(process.pid)
            if process.exitcode == STARTUP_FAILURE:
                if not self.serving_once:  # nothing ever started: the data or the app is broken
                    log.error(
                        "Child process [%s] failed to start, stopping the parent process.",
                        process.pid,
                    )
                    self.failed_to_start = True
                    self.should_exit.set()
                    return
                wait_s = min(self.backoff.get(idx, RETRY_S[0]), RETRY_S[1])
                self.backoff[idx] = wait_s * 2
                self.retry_at[idx] = time.monotonic() + wait_s
                log.error(
                    "Child process [%s] failed to start; the others serve; trying again in %.0f s",
                    process.pid,
                    wait_s,
                )
                return
            log.info(
                "Child process [%s] %s; starting another",
                process.pid,
                "died" if state == "dead" else "did not answer",
            )
            self._start(idx)

        def _retry(self, idx: int) -> None:
            if time.monotonic() >= self.retry_at[idx]:
                del self.retry_at[idx]
                self._start(idx)

        def _start(self, idx: int) -> None:
            process = Process(self.config, self.sockets)
            process.start()
            self.born[process.pid] = time.monotonic()
            self.processes[idx] = process

        def handle_hup(self) -> None:
            """uvicorn's own replaces every worker, and a worker that exits closes its idle
            keep-alive connections, so a request a client has just sent on one fails; the workers
            reload in place."""
            log.info("Received SIGHUP, reloading the graph in every worker.")
            for idx, process in enumerate(self.processes):
                if idx in self.retry_at or process.pid is None:
                    continue
                if process.pid in self.served and process.process.is_alive():
                    os.kill(process.pid, signal.SIGHUP)
                else:  # its handler may not exist yet: signalled once it serves
                    log.info("worker [%s] is starting; it reloads once it serves", process.pid)
                    self.hup_pending.add(process.pid)

    return Supervisor


def _probe(process: Any, timeout: float) -> str:
    """'serving', 'starting', 'dead' or 'hung': a ping answered, or the worker's exit, whichever
    comes first (uvicorn's own ping waits its whole timeout for a worker that has died)."""
    if not process.process.is_alive():
        return "dead"
    try:
        process.parent_conn.send(b"ping")
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ready = wait([process.parent_conn, process.process.sentinel], left)
            if process.process.sentinel in ready:
                return "dead"
            if process.parent_conn in ready:
                started = process.parent_conn.recv()
                while process.parent_conn.poll():  # answers to earlier pings that came late
                    started = process.parent_conn.recv()
                return "serving" if started else "starting"
    except (OSError, EOFError):
        return "dead" if not process.process.is_alive() else "hung"
    return "hung"


def _hup_before_start(signum: int, frame: Any) -> None:
    # no logging in a signal handler (it may interrupt a log call holding the handler's lock)
    os.write(
        2, b"SIGHUP before the graph is loaded: nothing to reload (the files are read after it)\n"
    )


def _exit_cleanly(signum: int, frame: Any) -> NoReturn:
    raise SystemExit(0)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
