"""The /graphql endpoint: strawberry's ASGI view with our context, a time budget, orjson and a
GraphiQL page served from our own files with its own Content-Security-Policy.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graphql_api import placement
from graphql_api.context import Context
from graphql_api.limits import within_budget

# GraphiQL from our own files (vendored from npm, see graphiql/THIRD_PARTY.md): a browser asks no
# other host, so the page works offline and behind a proxy that lets nothing out (issue 17).
GRAPHIQL_DIR = Path(__file__).with_name("graphiql")
# Scripts and styles from this server only (GraphiQL sets styles through the DOM, which the policy
# allows); its fonts are data: URLs in its stylesheet.
GRAPHIQL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, *args: Any, time_budget_s: float, max_services: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_budget_s = time_budget_s
        self.max_services = max_services
        self.ide_html = (GRAPHIQL_DIR / "graphiql.html").read_text(encoding="utf-8")

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.app.state
        return Context(state.index, date.today(), state.loaded_at, self.max_services)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self.ide_html, headers={"content-security-policy": GRAPHIQL_CSP})

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """orjson refuses bytes that are not UTF-8 and nesting deeper than 1024 with a
        JSONDecodeError, which strawberry answers 400 (json.loads raised UnicodeDecodeError or
        RecursionError: 500)."""
        return orjson.loads(data)

    async def parse_http_body(self, request_adapter: Any) -> Any:
        """A POST must say it is JSON by its media type. strawberry tests for the substring, so
        `text/plain; charset=application/json` passed: a content type a cross-site form may send
        without a preflight."""
        if request_adapter.method == "POST":
            if media_type(request_adapter.content_type) not in _JSON_TYPES:
                raise HTTPException(415, "Unsupported content type: send application/json")
            request_adapter = _Json(request_adapter)  # strawberry compares the header in lower case
        try:
            return await super().parse_http_body(request_adapter)
        except (
            AttributeError
        ) as exc:  # a JSON body that is a string, number or null: strawberry calls .get on it
            raise HTTPException(400, "The request body must be a JSON object") from exc

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: Any,
        request_data: Any,
    ) -> ExecutionResult:
        """Parse, validate and execute within the time budget: a small request on the event loop,
        any other in a worker thread, so that the loop (and /healthz) never waits long on one
        request (placement.py). A 503 when the budget runs out; the executor stops at its next
        object (limits.BudgetedExecutionContext)."""
        allowed = OperationType.from_http(request_adapter.method)
        schema, query, name = self.schema._schema, request_data.query, request_data.operation_name
        execute = partial(
            within_budget,
            self.time_budget_s,
            self.schema.execute_sync,
            query,
            request_data.variables,
            context,
            root_value,
            name,
            allowed,
            request_data.extensions,
        )
        try:
            if placement.on_loop(schema, query, name, request_data.variables):
                started = time.thread_time()
                try:
                    result = execute()
                finally:  # only runs on the loop are judged: a large request of a small text is not
                    placement.observe(schema, query, name, time.thread_time() - started)
            else:
                result = await asyncio.wait_for(asyncio.to_thread(execute), self.time_budget_s)
        except TimeoutError:
            result = None
        except CannotGetOperationTypeError as exc:  # the same mapping as strawberry's own view
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason(request_adapter.method)) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc
        if result is None:  # out of time: here, or inside the executor (which then stopped working)
            sub_response.status_code = 503
            return ExecutionResult(data=None, errors=[GraphQLError("time budget exceeded")])
        return result


_JSON_TYPES = frozenset({"application/json", "application/graphql-response+json"})


class _Json:
    """A request adapter whose content type is the plain JSON type; all else from the request's."""

    content_type = "application/json"

    def __init__(self, adapter: Any) -> None:
        self._adapter = adapter

    def __getattr__(self, name: str) -> Any:
        return getattr(self._adapter, name)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, without parameters, in lower case (RFC 9110
    8.3.1)."""
    return (content_type or "").partition(";")[0].strip().lower()
