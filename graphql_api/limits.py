"""Limits that keep one request from taking the server down: query shape, body size, time.

Query shape is checked by validation rules built once per schema, in time linear in the size of
the document (graphql_api.shape); the body size by a pure ASGI middleware; the time budget in
`view.GraphQLView`, which runs parsing, validation and execution in a worker thread (a small
request on the event loop: graphql_api.placement), and inside
the executor by `BudgetedExecutionContext`, so a query whose answer would be huge stops working
when its client is told 503 instead of running on in the background.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

from graphql import DocumentNode, ExecutionResult, GraphQLError, OperationDefinitionNode
from graphql.validation import (
    ASTValidationRule,
    MaxIntrospectionDepthRule,
    NoSchemaIntrospectionCustomRule,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.extensions import ClientErrors, SmallQueryCache
from graphql_api.settings import Settings
from graphql_api.shape import Measure, Shape

T = TypeVar("T")
_deadline: ContextVar[float] = ContextVar("guideline_kg_deadline", default=math.inf)


class BudgetExceeded(BaseException):
    """The request's time budget is spent. A BaseException, so graphql-core's per-field error
    handling (which catches Exception) does not turn it into a located error and carry on."""


class BudgetedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Checks the request's deadline before the fields of each object: a query whose answer fans
    out to millions of objects stops within its budget (one clock read per object, not per field:
    most fields are leaves read from an attribute)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = _deadline.get()

    def execute_fields(self, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded
        return super().execute_fields(*args, **kwargs)

    def execute_fields_serially(self, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded
        return super().execute_fields_serially(*args, **kwargs)

    def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        result = super().execute_operation(*args, **kwargs)
        if isinstance(result, ExecutionResult):
            # Done. The executor holds its own bound methods (async_helpers), a cycle that left it,
            # its caches and the request's context (~120 objects a request) to the cycle collector.
            self.async_helpers = None
        return result


def within_budget(budget_s: float, run: Callable[..., T], *args: Any) -> T | None:
    """`run(*args)` with a deadline `budget_s` from now; None when the budget ran out. In a worker
    thread (asyncio.to_thread copies the context, so the deadline stays with this request) or on the
    event loop (the deadline is reset afterwards, so it never outlives the call)."""
    token = _deadline.set(time.monotonic() + budget_s)
    try:
        return run(*args)
    except BudgetExceeded:
        return None
    finally:
        _deadline.reset(token)


def schema_extensions(settings: Settings) -> list[Any]:
    """The schema extensions enforcing the settings' limits, all strawberry's own but the cache of
    small queries and the wording of errors: the token limit (parse), the shape of the operation and
    introspection (validation)."""
    rules: list[type[ASTValidationRule]] = [
        shape_rule(settings.max_depth, settings.max_aliases, settings.max_results),
        MaxIntrospectionDepthRule,  # graphql-core measures each fragment once, as shape_rule does
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    # factories: strawberry makes each extension anew for every request (it holds that request's
    # context)
    return [
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(AddValidationRules, rules),
        SmallQueryCache,
        partial(ClientErrors, hide_suggestions=not settings.introspection),
    ]


def shape_rule(max_depth: int, max_aliases: int, max_results: int) -> type[ASTValidationRule]:
    """Refuse, before any work, an operation nested deeper than `max_depth`, with more than
    `max_aliases` aliases, or whose answer could hold more than `max_results` objects: each list of
    objects multiplies what is below it by its `first` (connections) or by LIST_GUESS, and nested
    lists fan out fast (documents { sections { addresses { sections ... } } } runs to millions)."""

    class ShapeRule(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            measure = Measure(self.context.schema, node)
            for operation in node.definitions:
                if isinstance(operation, OperationDefinitionNode):
                    self.check(operation, measure.operation(operation))

        def check(self, node: OperationDefinitionNode, shape: Shape) -> None:
            name = node.name.value if node.name else "anonymous"
            if shape.depth > max_depth:
                self.report_error(
                    GraphQLError(f"'{name}' exceeds maximum operation depth of {max_depth}", node)
                )
            if shape.aliases > max_aliases:
                self.report_error(
                    GraphQLError(
                        f"'{name}' uses {shape.aliases:,} aliases, more than the {max_aliases} "
                        f"allowed",
                        node,
                    )
                )
            if shape.results > max_results:
                self.report_error(
                    GraphQLError(
                        f"the answer could hold about {shape.results:,.0f} results, more than the "
                        f"{max_results:,} "
                        "allowed: ask for fewer nested lists or smaller pages",
                        node,
                    )
                )

    return ShapeRule


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """413 for a request body over `max_bytes`: by Content-Length, or by counting streamed bytes."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send)


async def _too_large(send: Send) -> None:
    body = b'{"errors":[{"message":"request body too large"}]}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
