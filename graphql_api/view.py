"""The /graphql endpoint: strawberry's ASGI view with our context, a time budget, fast JSON and a
GraphiQL page that carries its own, Content-Security-Policy.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import time
from datetime import date
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from cross_web import HTTPException
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graphql_api.context import Context
from graphql_api.limits import within_budget
from graphql_api.prepared import PreparedQueries

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
GRAPHIQL_ORIGIN = "https://unpkg.com"  # where strawberry's GraphiQL page loads React and GraphiQL from


def graphiql_csp(html: str) -> str:
    """A policy for the GraphiQL page only: its CDN, and its own inline scripts by hash."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in _INLINE_SCRIPT.findall(html))
    return (f"default-src 'self'; script-src 'self' {GRAPHIQL_ORIGIN} {hashes}; "
            f"style-src 'self' 'unsafe-inline' {GRAPHIQL_ORIGIN}; img-src 'self' data:; font-src 'self' data: "
            f"{GRAPHIQL_ORIGIN}; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, *args: Any, time_budget_s: float, max_services: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_budget_s = time_budget_s
        self.max_services = max_services
        self.ide_csp = graphiql_csp(self.graphql_ide_html) if self.graphql_ide else None
        self.prepared = PreparedQueries.of(self.schema)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """POST with a JSON object body, the way every client of ours asks, is answered here with the
        same steps strawberry's view takes for it (context, execute, process_result, create_response)
        and without the ones that cannot apply to it (GraphiQL, GET, batches, multipart, streaming);
        those steps cost as much as a small query. Anything else, and any body this path does not
        take as it is, goes to strawberry's view with the body it sent."""
        if scope["type"] != "http" or scope["method"] != "POST":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        if "application/json" not in request.headers.get("content-type", "") or \
                self._get_stream_transport_from_headers(request.headers) is not None:
            await super().__call__(scope, receive, send)
            return
        body = await request.body()  # the body limit middleware refuses an oversized one before this
        request_data = _single_request(body)
        if request_data is None:
            await super().__call__(scope, _replay(body, receive), send)
            return
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        try:
            result = await self.execute_single(request, self.request_adapter_class(request), sub_response, context,
                                               await self.get_root_value(request), request_data)
        except HTTPException as exc:
            response: Response = PlainTextResponse(exc.reason, status_code=exc.status_code)
        else:
            answer = await self.process_result(request, result)
            if result.errors:
                self._handle_errors(result.errors, answer)
            response = self.create_response(answer, sub_response)
        await response(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state = request.app.state
        return Context(state.index, date.today(), state.loaded_at, self.max_services)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self.graphql_ide_html, headers={"content-security-policy": self.ide_csp or ""})

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """orjson refuses bytes that are not UTF-8 and nesting deeper than 1024 with a JSONDecodeError,
        which strawberry answers 400 (json.loads raised UnicodeDecodeError or RecursionError: 500)."""
        return orjson.loads(data)

    async def parse_http_body(self, request_adapter: Any) -> Any:
        try:
            return await super().parse_http_body(request_adapter)
        except AttributeError as exc:  # a JSON body that is a string, number or null: strawberry calls .get on it
            raise HTTPException(400, "The request body must be a JSON object") from exc

    async def execute_single(self, request: Any, request_adapter: Any, sub_response: Response, context: Context,
                             root_value: Any, request_data: Any) -> ExecutionResult:
        """Run the operation within the time budget (a 503 when it runs out; the executor stops at its
        next field). A small request first runs on the event loop with a short slice of time: most
        answers take well under a millisecond, and a worker thread costs more than that to hand over
        to. One that does not finish in its slice starts again in a worker thread, so a long operation
        never blocks the loop for more than the slice (our resolvers only read: running one again is
        safe). A large body goes to the thread at once: what a resolver does grows with its input (a
        letter's text, a list of services), and the slice is only checked between fields."""
        allowed = OperationType.from_http(request_adapter.method)
        args = (self._execute, request_data.query, request_data.variables, context, root_value,
                request_data.operation_name, allowed, request_data.extensions)
        try:
            result = None
            started = time.monotonic()
            if _small(request):
                result = within_budget(min(INLINE_SLICE_S, self.time_budget_s), *args)
            if result is None:
                remaining = self.time_budget_s - (time.monotonic() - started)
                run = asyncio.to_thread(within_budget, remaining, *args)
                try:
                    result = await asyncio.wait_for(run, remaining)
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


    def _execute(self, query: str | None, variables: dict[str, Any] | None, context: Context, root_value: Any,
                 operation_name: str | None, allowed: Any, extensions: dict[str, Any] | None) -> ExecutionResult:
        """A repeated query by its compiled plan when nothing else has to see it, else strawberry's way."""
        if (self.prepared is not None and query is not None and root_value is None and not extensions
                and OperationType.QUERY in allowed):
            answer = self.prepared.answer(self.schema, query, variables, context, operation_name)
            if answer is not None:
                return answer
        return self.schema.execute_sync(query, variables, context, root_value, operation_name, allowed, extensions)


INLINE_MAX_BYTES = 8192  # a request body (or GET query string) this small may run on the event loop ...
INLINE_SLICE_S = 0.02  # ... for this long at most, then it starts again in a worker thread


def _single_request(body: bytes) -> GraphQLRequestData | None:
    """One operation as a JSON object with fields of the right types; None for anything else."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    query, variables = data.get("query"), data.get("variables")
    operation_name, extensions = data.get("operationName"), data.get("extensions")
    if not isinstance(query, str) or not isinstance(variables, dict | None) or \
            not isinstance(operation_name, str | None) or not isinstance(extensions, dict | None):
        return None
    return GraphQLRequestData(query=query, variables=variables, operation_name=operation_name,
                              extensions=extensions, protocol="http")


def _replay(body: bytes, then: Receive) -> Receive:
    """A receive channel giving `body` again, then whatever the client's channel `then` gives."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive


def _small(request: Request) -> bool:
    if request.method == "GET":
        return len(request.scope.get("query_string", b"")) <= INLINE_MAX_BYTES
    length = request.headers.get("content-length")
    return length is not None and length.isdigit() and int(length) <= INLINE_MAX_BYTES
