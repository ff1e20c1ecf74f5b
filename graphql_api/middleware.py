"""Security headers on every response, and an access log that never records a request's content.

Letters and requests carry health information, so the log line is method, route, status and
duration; nothing else. The route is the path template of the route that matched (the explorer's
files as one), or a fixed label: never the path a client sent, which can carry anything (a 404, a
405 or a 413 as much as a 200), nor the query string (GET /graphql?query=... carries variables).
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("guideline_kg.access")

# No inline scripts or styles, nothing from other origins, not framable. /graphql's GraphiQL page
# sets its own, wider policy (see view.py); any response that already carries a CSP keeps it.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src "
    "'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "
    "'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CompletedRequestMiddleware:
    """Times each HTTP request and hands its route, status and duration to `completed` once the
    response is over (or failed: a 500). The access log and the metrics both stand on it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            self.completed(scope, status, time.perf_counter() - started)

    def completed(self, scope: Scope, status: int, seconds: float) -> None:
        raise NotImplementedError


class AccessLogMiddleware(CompletedRequestMiddleware):
    def completed(self, scope: Scope, status: int, seconds: float) -> None:
        access_log.info(
            "%s %s %d %.1fms", scope["method"], route_label(scope), status, seconds * 1000
        )


def route_label(scope: Scope) -> str:
    """The router records the route it matched in the scope (a partial match too: the path of a
    405)."""
    route = scope.get("route")
    if isinstance(route, Route):
        return route.path
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    return "(no route)"  # rejected before routing (a 413 by its length) or matched nothing
