"""The floor of the HTTP rows: a plain Starlette JSON endpoint over the same kg.resolve (not the
product).

POST /resolve takes the GraphQL `ResolveInput` as JSON and answers exactly the data that
bench.workload.GRAPHQL_QUERY selects (bench/run.py checks the two answers are equal), so the
difference between the two servers is the GraphQL machinery and nothing else. Loaded like the
product: the index from the start-up cache in the lifespan, then gc.freeze() and the product's
collector thresholds (graphql_api.app.GC_THRESHOLDS).

    uvicorn bench.plain_app:create_app --factory --workers 2
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graphql_api.app import GC_THRESHOLDS
from kg import load_index
from kg.errors import InputError
from kg.load import DATA_DIR
from kg.resolve import CachedResolver, ResolveRequest, ServiceResolution

_WORD = re.compile(r"(?<!^)(?=[A-Z])")
_FACTS = {"dateOfInjury": "date_of_injury", "visitsReceived": "visits_received", "phase": "phase"}


def _enum(value: str) -> str:
    """An ontology local name as the GraphQL enum names it (RecommendedWithConditions ->
    RECOMMENDED_WITH_CONDITIONS)."""
    return _WORD.sub("_", value).upper()


def project(r: ServiceResolution) -> dict[str, Any]:
    """The fields of GRAPHQL_QUERY, in its shape."""
    g = r.governing
    return {
        "request": r.request,
        "outcome": r.outcome.value,
        "quantity": r.quantity,
        "phase": _enum(r.phase) if r.phase else None,
        "bodyRegions": list(r.body_regions),
        "problems": list(r.problems),
        "treatment": {"id": r.treatment.id, "label": r.treatment.label} if r.treatment else None,
        "governing": {
            "guideline": g.guideline,
            "mtus": g.mtus,
            "section": g.section,
            "pages": g.pages,
            "text": g.text,
            "evidenceStep": g.evidence_step,
            "recommendation": _enum(g.recommendation),
        }
        if g
        else None,
        "candidates": [{"guideline": c.guideline, "text": c.text} for c in r.candidates],
        "criteria": [
            {"id": c.id, "status": c.status.value, "needs": list(c.needs)} for c in r.criteria
        ],
    }


async def resolve_endpoint(request: Request) -> Response:
    body = orjson.loads(await request.body())
    data = body.get("input", body)
    facts = {_FACTS.get(k, k): v for k, v in (data.get("facts") or {}).items()}
    try:
        parsed = ResolveRequest.parse(
            on=data.get("date"),
            services=data.get("services") or [],
            diagnoses=data.get("diagnoses"),
            facts=facts,
            today=date.today(),
        )
    except InputError as exc:
        return Response(
            orjson.dumps(
                {"data": {"resolve": {"__typename": "InvalidInput", "message": str(exc)}}}
            ),
            media_type="application/json",
        )
    answers = request.app.state.resolver.resolve(parsed)
    payload = {
        "data": {
            "resolve": {"__typename": "ResolveSuccess", "services": [project(a) for a in answers]}
        }
    }
    return Response(orjson.dumps(payload), media_type="application/json")


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


def create_app() -> Starlette:
    data_dir = Path(os.environ.get("GUIDELINE_KG_DATA_DIR") or DATA_DIR)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.index = load_index(data_dir)
        app.state.resolver = CachedResolver(app.state.index)
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        yield

    return Starlette(
        routes=[
            Route("/resolve", resolve_endpoint, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
