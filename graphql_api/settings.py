"""Server settings, in one place: environment first, then a `.env` file, then defaults (STYLE.md
G11).

Every variable is prefixed GUIDELINE_KG_ (GUIDELINE_KG_PORT, GUIDELINE_KG_DATA_DIR, ...).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import CommaSeparatedStrings, Secret

PREFIX = "GUIDELINE_KG_"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    data_dir: Path | None = None  # None = the graph shipped in kg/data
    ontology_dir: Path | None = None
    # a graph store's Graph Store Protocol URL: build the index from the graph published there
    # (graphql_api/graph_store.py) instead of the files; None = the files
    source: str | None = None
    source_poll_s: float = 30.0  # how often a replica asks the store for a new version; 0 = never
    introspection: bool = True
    cors_origins: tuple[str, ...] = ()  # none = closed: no cross-origin browser access
    max_depth: int = 12
    max_aliases: int = 50
    max_tokens: int = 4000
    # objects an answer may hold, estimated from the query (limits.max_results_rule)
    max_results: int = 100_000
    max_body_bytes: int = 1_000_000
    max_services: int = 2000
    time_budget_s: float = 10.0
    admin_token: Secret | None = None  # unset = no admin endpoint
    # connections (guideline_kg/cli_serve.py passes them to uvicorn; graphql_api/connections.py
    # enforces the head bounds)
    # request line and headers of one request; more closes the connection (431)
    max_header_bytes: int = 65_536
    # to send a request's head, from connect or from the previous response
    header_timeout_s: float = 10.0
    keep_alive_s: int = 5  # an idle keep-alive connection is closed after this
    # connections or requests at once per worker; beyond, 503 (below 1024 fds)
    limit_concurrency: int = 1000
    backlog: int = 2048  # connections the kernel queues before a worker accepts them

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Settings:
        env_file = env_file if env_file and Path(env_file).is_file() else None
        config = Config(
            env_file, environ=os.environ if environ is None else environ, env_prefix=PREFIX
        )
        d = cls()
        data_dir = config("DATA_DIR", default=None)
        ontology_dir = config("ONTOLOGY_DIR", default=None)
        return cls(
            host=config("HOST", default=d.host),
            port=config("PORT", cast=int, default=d.port),
            workers=config("WORKERS", cast=int, default=d.workers),
            data_dir=Path(data_dir) if data_dir else None,
            ontology_dir=Path(ontology_dir) if ontology_dir else None,
            source=config("SOURCE", default=None) or None,
            source_poll_s=config("SOURCE_POLL_S", cast=float, default=d.source_poll_s),
            introspection=config("INTROSPECTION", cast=bool, default=d.introspection),
            cors_origins=tuple(config("CORS_ORIGINS", cast=CommaSeparatedStrings, default="")),
            max_depth=config("MAX_DEPTH", cast=int, default=d.max_depth),
            max_aliases=config("MAX_ALIASES", cast=int, default=d.max_aliases),
            max_tokens=config("MAX_TOKENS", cast=int, default=d.max_tokens),
            max_results=config("MAX_RESULTS", cast=int, default=d.max_results),
            max_body_bytes=config("MAX_BODY_BYTES", cast=int, default=d.max_body_bytes),
            max_services=config("MAX_SERVICES", cast=int, default=d.max_services),
            time_budget_s=config("TIME_BUDGET_S", cast=float, default=d.time_budget_s),
            admin_token=config("ADMIN_TOKEN", cast=Secret, default=None) or None,
            max_header_bytes=config("MAX_HEADER_BYTES", cast=int, default=d.max_header_bytes),
            header_timeout_s=config("HEADER_TIMEOUT_S", cast=float, default=d.header_timeout_s),
            keep_alive_s=config("KEEP_ALIVE_S", cast=int, default=d.keep_alive_s),
            limit_concurrency=config("LIMIT_CONCURRENCY", cast=int, default=d.limit_concurrency),
            backlog=config("BACKLOG", cast=int, default=d.backlog),
        )
