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


WORKER_READY_S = 90  # how long a replacement worker may take to load (and validate) the graph


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
    if args.workers:  # so a worker knows it has siblings (POST /admin/reload restarts them all)
        os.environ["GUIDELINE_KG_WORKERS"] = str(args.workers)
    settings = Settings.from_env()
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal to the handler it found:
    # with this one, a drained single-process server exits 0 (the supervisor of --workers does anyway).
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        "graphql_api.app:app_factory", factory=True,
        host=args.host or settings.host, port=args.port or settings.port,
        workers=args.workers or settings.workers,
        loop="uvloop" if _has("uvloop") else "auto", http="httptools" if _has("httptools") else "auto",
        access_log=False,  # our own access log leaves out query strings (they can carry variables)
        server_header=False, proxy_headers=False,
        # on SIGHUP uvicorn's supervisor starts each new worker before it retires the old one, and gives
        # up (keeping the old) when the new one is not ready in time: loading the graph can take a while
        timeout_worker_healthcheck=WORKER_READY_S,
    )
    return 0


def _exit_cleanly(signum: int, frame: Any) -> NoReturn:
    raise SystemExit(0)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
