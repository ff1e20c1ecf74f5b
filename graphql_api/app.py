"""The web server: `create_app(settings)` builds the Starlette app; the lifespan loads the graph
once.

Routes: /graphql (GraphQL over POST and GET, GraphiQL in a browser, from /graphiql's files),
/letter/pdf (a letter's PDF read to text, graphql_api/upload.py), /healthz (liveness), /readyz (the
graph is loaded and checked), /metrics (Prometheus), /admin/reload
(only with GUIDELINE_KG_ADMIN_TOKEN set) and / (the explorer's static files).

Reloading: SIGHUP and POST /admin/reload build the new index beside the serving one and swap it in
only when it loaded and validated; a failure keeps the old graph, is logged and shows on /healthz as
`reload`. Under `--workers N` the supervisor (guideline_kg/cli_serve.py) passes SIGHUP on to every
worker, so each swaps in place: no process is replaced, no connection dropped. A worker also only
starts serving a graph that validated.

A replica over a graph store (`settings.source`, graphql_api/graph_store.py) builds its index from
the graph published there, asks the store for the published version every `source_poll_s` and
reloads (as above) when it changed. A store that goes away costs nothing but new versions: the
replica keeps serving its graph and says so on /healthz (`source.state`).
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import json
import logging
import os
import signal
import threading
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

from graphql_api import metrics
from graphql_api.limits import BodyLimitMiddleware, schema_extensions
from graphql_api.middleware import AccessLogMiddleware, SecurityHeadersMiddleware
from graphql_api.schema import make_schema
from graphql_api.settings import Settings
from graphql_api.upload import letter_pdf
from graphql_api.view import GRAPHIQL_DIR, GraphQLView
from kg.errors import KgError
from kg.index import GuidelineIndex

# The collector's thresholds once the graph is loaded (Python's are 700, 10, 10). A request makes
# thousands of short-lived containers (GraphQL's paths and results, the answer's values): at 700 the
# young generation was collected ~9 times a request, and what survived (the resolver's memos) went
# on into older passes. Collected 14x less often, most of it dies before a pass: the collector's
# CPU per request fell ~4x (bench row 3c). Only the timing of collection changes, not what is kept.
GC_THRESHOLDS = (10_000, 50, 100)
EXPLORER_DIR = Path(__file__).with_name("explorer")
log = logging.getLogger("guideline_kg.server")


def load(settings: Settings, *, check: bool = False) -> GuidelineIndex:
    from kg import load_index
    from kg.load import DATA_DIR, ONTOLOGY_DIR

    if settings.source:  # always checked: the store is not ours, as the files are
        from graphql_api import graph_store

        return graph_store.load_index(settings.source, settings.ontology_dir or ONTOLOGY_DIR)
    return load_index(
        settings.data_dir or DATA_DIR, settings.ontology_dir or ONTOLOGY_DIR, check=check
    )


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.reload_lock = asyncio.Lock()
        hup = _reload_on_sighup(
            app, settings
        )  # before the load: a SIGHUP meanwhile must not end the process
        try:  # validated (when not from the cache): a worker never starts serving a broken graph
            app.state.index, app.state.files_refused = await asyncio.to_thread(
                _start_graph, settings
            )
        except KgError as exc:
            log.error("graph not loaded: %s", str(exc)[:500])
            raise
        app.state.loaded_at = datetime.now(UTC)
        gc.freeze()  # the index lives as long as the process: keep it out of collector passes
        gc.set_threshold(*GC_THRESHOLDS)
        log.info("graph %s loaded", app.state.index.version[:12])
        _record_serving(app.state.index.version, files_refused=app.state.files_refused)
        if getattr(app.state, "reload_pending", False):
            _start_reload(app, settings)
        watch = None
        if settings.source:
            app.state.source = _source_state(None, published=app.state.index.version)
            if settings.source_poll_s > 0:
                watch = asyncio.get_running_loop().create_task(_watch_source(app, settings))
        try:
            yield
        finally:
            if watch is not None:
                watch.cancel()
            if hup:
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    view = GraphQLView(
        make_schema(schema_extensions(settings)),
        time_budget_s=settings.time_budget_s,
        max_services=settings.max_services,
    )
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics.metrics, methods=["GET"]),
        Route("/graphql", view, methods=["GET", "POST"]),
        Route("/letter/pdf", letter_pdf(settings.time_budget_s), methods=["POST"]),
    ]
    if settings.admin_token:
        routes.append(Route("/admin/reload", _reload(settings), methods=["POST"]))
    routes.append(Mount("/graphiql", StaticFiles(directory=GRAPHIQL_DIR), name="graphiql"))
    routes.append(Mount("/", StaticFiles(directory=EXPLORER_DIR, html=True), name="explorer"))
    middleware = [
        Middleware(AccessLogMiddleware),
        Middleware(metrics.MetricsMiddleware),
        Middleware(SecurityHeadersMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["content-type"],
            )
        )
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    return app


async def healthz(request: Request) -> JSONResponse:
    index = getattr(request.app.state, "index", None)
    if index is None:
        return JSONResponse({"status": "starting", "version": None}, status_code=503)
    body: dict[str, Any] = {"status": "ok", "version": index.version}
    if getattr(request.app.state, "files_refused", False):
        # the data files on disk do not load: this graph is the last good one
        body["files"] = "refused"
    last = getattr(request.app.state, "last_reload", None)
    if last is not None:
        # the last reload of this process: reloaded, or kept; the error itself goes to the log and
        # the admin's response only (it names server paths)
        body["reload"] = {k: v for k, v in last.items() if k != "error"}
    source = getattr(request.app.state, "source", None)
    if source is not None:
        # a replica over a graph store: "unreachable" = serving the last good graph meanwhile
        body["source"] = source
    return JSONResponse(body)


async def readyz(request: Request) -> JSONResponse:
    """Readiness, apart from liveness (/healthz): ready once the graph is loaded and checked (SHACL,
    references, adoptions), so a load balancer sends nothing to a worker still loading."""
    index = getattr(request.app.state, "index", None)
    if index is None or not index.checked:
        return JSONResponse({"status": "not ready", "version": None}, status_code=503)
    return JSONResponse({"status": "ready", "version": index.version})


async def reload_graph(app: Starlette, settings: Settings) -> dict[str, Any]:
    """Build and validate the graph beside the serving one; swap only when that worked. One at a
    time."""
    async with app.state.reload_lock:
        serving = app.state.index
        try:
            index = await asyncio.to_thread(load, settings, check=True)
        except Exception as exc:  # whatever went wrong, the serving graph stays
            error = (
                f"{type(exc).__name__}: {exc}"[:500]
                if not isinstance(exc, KgError)
                else str(exc)[:500]
            )
            outcome = {"status": "kept", "version": serving.version, "error": error}
            log.error(
                "reload failed in process %d, still serving graph %s: %s",
                os.getpid(),
                serving.version[:12],
                error,
            )
            if not settings.source:
                app.state.files_refused = True
            elif _unreachable(exc):
                app.state.source = _source_state(getattr(app.state, "source", None), error=error)
        else:
            # one assignment each, no await between them: a request sees the old pair or the new one
            app.state.index, app.state.loaded_at = index, datetime.now(UTC)
            del serving
            gc.unfreeze()  # let the old index go (frozen objects are never collected) ...
            gc.collect()
            gc.freeze()  # ... and keep the new one out of collector passes
            outcome = {"status": "reloaded", "version": index.version}
            app.state.files_refused = False
            log.info("graph %s loaded (reload) in process %d", index.version[:12], os.getpid())
        app.state.last_reload = {**outcome, "at": datetime.now(UTC).isoformat()}
        metrics.reloaded(outcome["status"])
        _record_serving(app.state.index.version, files_refused=app.state.files_refused)
        return outcome


async def _watch_source(app: Starlette, settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.source_poll_s)
        try:
            await check_source(app, settings)
        except Exception:  # the watch must outlive any one failure; the graph keeps serving
            log.exception("checking the graph store failed")


async def check_source(app: Starlette, settings: Settings) -> None:
    """Ask the store for its published version; reload when it is new (and not one refused
    already: a broken graph in the store is reported once, not downloaded at every poll)."""
    from graphql_api.graph_store import GraphStore

    assert settings.source is not None
    try:
        record = await asyncio.to_thread(GraphStore(settings.source).published)
    except KgError as exc:  # unreachable, or a record that cannot be read
        app.state.source = _source_state(app.state.source, error=str(exc)[:500])
        return
    published = record.version if record is not None else None
    app.state.source = _source_state(app.state.source, published=published)
    if published in (None, app.state.index.version, app.state.source.get("refused")):
        return
    outcome = await reload_graph(app, settings)
    if outcome["status"] != "reloaded" and app.state.source["state"] == "reachable":
        app.state.source = {**app.state.source, "refused": published}


def _source_state(
    before: dict[str, Any] | None, *, published: str | None = None, error: str | None = None
) -> dict[str, Any]:
    """What /healthz says of the store: reachable with its published version, or unreachable since
    when (the serving graph is then the last good one). A change is logged once."""
    now = datetime.now(UTC).isoformat()
    was = before["state"] if before else None
    if error is not None:
        if was != "unreachable":
            log.warning("graph store unreachable, still serving the last good graph: %s", error)
        since = before["since"] if before and was == "unreachable" else now
        return {"state": "unreachable", "since": since, "checked_at": now}
    if was == "unreachable":
        log.info("graph store reachable again; published version %s", str(published)[:12])
    state = {"state": "reachable", "published": published, "checked_at": now}
    if before and before.get("refused") and before.get("refused") == published:
        state["refused"] = published
    return state


def _unreachable(exc: Exception) -> bool:
    from graphql_api.graph_store import NotPublished, StoreError

    return isinstance(exc, StoreError) and not isinstance(exc, NotPublished)


def _reload_on_sighup(app: Starlette, settings: Settings) -> bool:
    """SIGHUP reloads this process's graph. Only where signals can be handled: the main thread of a
    server process (not under a test client); under uvicorn's supervisor, SIGHUP goes to the
    supervisor."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
        return False
    loop = asyncio.get_running_loop()

    def on_hup() -> None:
        if (
            getattr(app.state, "index", None) is None
        ):  # still loading: the files may have been read already
            log.info("SIGHUP during start-up: the graph is reloaded once it is up")
            app.state.reload_pending = True
            return
        log.info("SIGHUP: reloading the graph")
        _start_reload(app, settings)

    try:
        loop.add_signal_handler(signal.SIGHUP, on_hup)
    except (NotImplementedError, RuntimeError, ValueError):
        return False
    return True


_reloads: set[asyncio.Task[Any]] = set()  # running reloads, kept from the garbage collector


def _start_reload(app: Starlette, settings: Settings) -> None:
    app.state.reload_pending = False
    task = asyncio.get_running_loop().create_task(reload_graph(app, settings))
    _reloads.add(task)
    task.add_done_callback(_reloads.discard)


def _start_graph(settings: Settings) -> tuple[GuidelineIndex, bool]:
    """The graph a worker starts with, and whether the files on disk were refused. A worker that
    replaces one of its siblings (the supervisor's serving record names their graph) takes that
    graph from the start-up cache: after a refused reload the files would fail, and a worker that
    cannot start must not take the service down with it, nor serve a graph its siblings do not."""
    record = _read_serving_record()
    if record is not None:
        from kg.cache import read_cached

        cached = read_cached(record["version"])
        if cached is not None and cached.checked:
            log.info(
                "graph %s: the one the other workers serve, from the start-up cache",
                cached.version[:12],
            )
            return cached, bool(record.get("files_refused"))
        log.warning(
            "graph %s the other workers serve is not in the start-up cache: loading it again",
            str(record["version"])[:12],
        )
    return load(settings, check=True), False


def _serving_record_path() -> Path | None:
    # set by the supervisor of --workers (guideline_kg/cli_serve.py), in a folder only it and its
    # workers use
    path = os.environ.get("GUIDELINE_KG_SERVING_RECORD")
    return Path(path) if path else None


def _read_serving_record() -> dict[str, Any] | None:
    path = _serving_record_path()
    if path is None:
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("version"), str) else None


def _record_serving(version: str, *, files_refused: bool) -> None:
    """What this worker serves, for a worker that will replace one of them (the last write wins: the
    workers serve the same graph but for the moment of a reload)."""
    path = _serving_record_path()
    if path is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        tmp.write_text(
            json.dumps({"version": version, "files_refused": files_refused}), encoding="utf-8"
        )
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("serving record not written (%s)", type(exc).__name__)


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
        outcome = await reload_graph(request.app, settings)
        if outcome["status"] != "reloaded":
            return JSONResponse(outcome, status_code=409)
        if settings.workers > 1:
            # This request reached one worker. It validated the graph (and wrote the start-up cache,
            # so the others load it fast); the supervisor passes SIGHUP on to every worker.
            os.kill(os.getppid(), signal.SIGHUP)
            outcome = {**outcome, "workers": "reloading"}
        return JSONResponse(outcome)

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
