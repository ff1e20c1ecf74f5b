"""`guideline-kg serve`: the GraphQL API and explorer under uvicorn.

The CLI is the composition root: graphql_api (strawberry, starlette) is imported only when the
command runs, so `kg` itself never depends on the web layer.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from typing import Any


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
    settings = Settings.from_env()
    uvicorn.run(
        "graphql_api.app:app_factory", factory=True,
        host=args.host or settings.host, port=args.port or settings.port,
        workers=args.workers or settings.workers,
        loop="uvloop" if _has("uvloop") else "auto", http="httptools" if _has("httptools") else "auto",
        access_log=False,  # our own access log leaves out query strings (they can carry variables)
        server_header=False, proxy_headers=False,
    )
    return 0


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
