"""The web server: `create_app(settings)` builds the Starlette app; the lifespan loads the graph once.

Routes: /graphql (GraphQL over POST and GET, GraphiQL in a browser), /healthz, /admin/reload
(only with GUIDELINE_KG_ADMIN_TOKEN set) and / (the explorer's static files).
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from graphql_api.limits import BodyLimitMiddleware, schema_extensions
from graphql_api.middleware import AccessLogMiddleware, SecurityHeadersMiddleware
from graphql_api.schema import make_schema
from graphql_api.settings import Settings
from graphql_api.view import GraphQLView
from kg.index import GuidelineIndex

EXPLORER_DIR = Path(__file__).with_name("explorer")
log = logging.getLogger("guideline_kg.server")


def load(settings: Settings, *, check: bool = False) -> GuidelineIndex:
    from kg import load_index
    from kg.load import DATA_DIR, ONTOLOGY_DIR

    return load_index(settings.data_dir or DATA_DIR, settings.ontology_dir or ONTOLOGY_DIR, check=check)


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.index = await asyncio.to_thread(load, settings)
        app.state.loaded_at = datetime.now(UTC)
        gc.freeze()  # the index lives as long as the process: keep it out of collector passes
        log.info("graph %s loaded", app.state.index.version[:12])
        yield

    view = GraphQLView(make_schema(schema_extensions(settings)), time_budget_s=settings.time_budget_s,
                       max_services=settings.max_services)
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/graphql", view, methods=["GET", "POST"]),
    ]
    if settings.admin_token:
        routes.append(Route("/admin/reload", _reload(settings), methods=["POST"]))
    routes.append(Mount("/", StaticFiles(directory=EXPLORER_DIR, html=True), name="explorer"))
    middleware = [Middleware(AccessLogMiddleware), Middleware(SecurityHeadersMiddleware),
                  Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)]
    if settings.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                     allow_methods=["GET", "POST"], allow_headers=["content-type"]))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    return app


async def healthz(request: Request) -> JSONResponse:
    index = getattr(request.app.state, "index", None)
    if index is None:
        return JSONResponse({"status": "starting", "version": None}, status_code=503)
    return JSONResponse({"status": "ok", "version": index.version})


def _reload(settings: Settings) -> Any:
    """POST /admin/reload with `Authorization: Bearer <token>`: build a new index beside the old one
    and swap it only when it loaded and validated (DESIGN.md §6)."""
    token = settings.admin_token
    assert token is not None
    expected = f"Bearer {token}".encode()

    async def reload(request: Request) -> JSONResponse:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        from kg.errors import KgError

        try:
            index = await asyncio.to_thread(load, settings, check=True)
        except KgError as exc:
            return JSONResponse({"status": "kept", "error": str(exc)[:500]}, status_code=409)
        request.app.state.index, request.app.state.loaded_at = index, datetime.now(UTC)
        return JSONResponse({"status": "reloaded", "version": index.version})

    return reload


def app_factory() -> Starlette:
    """For uvicorn's --factory: settings from the environment, logs to stderr."""
    logger = logging.getLogger("guideline_kg")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return create_app(Settings.from_env())
