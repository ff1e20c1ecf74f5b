"""`guideline-kg serve`: the GraphQL API and explorer under uvicorn.

The CLI is the composition root: graphql_api (strawberry, starlette) is imported only when the
command runs, so `kg` itself never depends on the web layer.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
from typing import Any, NoReturn


APP = "graphql_api.app:app_factory"
WORKER_READY_S = 90  # how long a new worker may take to load (and validate) the graph


def add_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve the GraphQL API (/graphql), the explorer (/) and /healthz")
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1, or GUIDELINE_KG_HOST)")
    p.add_argument("--port", type=int, default=None, help="port (default 8000, or GUIDELINE_KG_PORT)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default 1, or GUIDELINE_KG_WORKERS)")
    p.add_argument("--data-dir", default=None, help="folder of the data Turtle files (or GUIDELINE_KG_DATA_DIR)")


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from graphql_api.settings import Settings

    if args.data_dir:  # workers read their settings from the environment
        os.environ["GUIDELINE_KG_DATA_DIR"] = str(args.data_dir)
    if args.workers:  # so a worker knows it has siblings (POST /admin/reload reloads them all)
        os.environ["GUIDELINE_KG_WORKERS"] = str(args.workers)
    settings = Settings.from_env()
    options: dict[str, Any] = dict(
        host=args.host or settings.host, port=args.port or settings.port,
        loop="uvloop" if _has("uvloop") else "auto", http="httptools" if _has("httptools") else "auto",
        access_log=False,  # our own access log leaves out query strings (they can carry variables)
        server_header=False, proxy_headers=False,
        timeout_worker_healthcheck=WORKER_READY_S,  # a worker that dies is replaced; loading takes a while
    )
    workers = args.workers or settings.workers
    if workers > 1:
        _serve_workers(workers, options)
        return 0
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal to the handler it found:
    # with this one, a drained single-process server exits 0 (the supervisor of --workers does anyway).
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(APP, factory=True, **options)
    return 0


def _serve_workers(workers: int, options: dict[str, Any]) -> None:
    """uvicorn's supervisor, except for SIGHUP: uvicorn's own replaces every worker, and a worker that
    exits closes its idle keep-alive connections, so a request a client has just sent on one fails.
    This one passes SIGHUP on to the workers, which reload the graph in place (graphql_api.app)."""
    import logging

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    class Supervisor(Multiprocess):
        def handle_hup(self) -> None:
            logging.getLogger("uvicorn.error").info("Received SIGHUP, reloading the graph in every worker.")
            for process in self.processes:
                if process.pid is not None and process.process.is_alive():
                    os.kill(process.pid, signal.SIGHUP)

    config = uvicorn.Config(APP, factory=True, workers=workers, **options)
    Supervisor(config, sockets=[config.bind_socket()]).run()


def _exit_cleanly(signum: int, frame: Any) -> NoReturn:
    raise SystemExit(0)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
