"""Request metrics in the Prometheus text format at /metrics: requests by method, route and status,
their latencies, and graph reloads by outcome. Nothing of a request's content: the route is the path
template that matched (middleware.route_label), never the path or query a client sent, since letters
and queries carry health information.

Under `--workers N` the supervisor (guideline_kg/cli_serve.py) gives the workers a private folder in
PROMETHEUS_MULTIPROC_DIR, and /metrics adds up every worker's figures (prometheus_client's
multiprocess mode): a scrape that reaches any one worker sees the whole server.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from graphql_api.middleware import CompletedRequestMiddleware, route_label

# The process's own registry (not prometheus_client's global one, which also gathers the
# interpreter's figures and which an embedding program may use for its own).
REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "guideline_kg_http_requests",
    "HTTP requests answered, by method, route (the path template) and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "guideline_kg_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by method and route.",
    ["method", "route"],
    # a search answers in milliseconds, a letter audit in a second or two, the budget is 10 s
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
RELOADS = Counter(
    "guideline_kg_graph_reloads",
    "Graph reloads (SIGHUP, POST /admin/reload or a new version in the graph store) by outcome: "
    "reloaded, or kept (the new graph was refused and the serving one stayed).",
    ["outcome"],
    registry=REGISTRY,
)
MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"


def reloaded(outcome: str) -> None:
    RELOADS.labels(outcome).inc()


async def metrics(request: Request) -> Response:
    registry = REGISTRY
    if os.environ.get(MULTIPROCESS):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # every worker's files, the dead ones' included
    # the text format 0.0.4 unless the scraper asks for another (OpenMetrics) in its Accept header
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(registry), headers={"content-type": content_type})


class MetricsMiddleware(CompletedRequestMiddleware):
    def completed(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_label(scope)
        method = scope["method"] if scope["method"] in _METHODS else "other"
        REQUESTS.labels(method, route, str(status)).inc()
        LATENCY.labels(method, route).observe(seconds)


# a client may send any method name: only the known ones become a label (a bounded set)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
