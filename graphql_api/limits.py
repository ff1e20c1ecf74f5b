"""Limits that keep one request from taking the server down: query shape, body size, time.

Query shape is checked by validation rules built once (so strawberry's validation cache can key
on them); the body size by a pure ASGI middleware; the time budget in `view.GraphQLView`, and
inside the executor by `BudgetedExecutionContext`, so a query whose answer would be huge stops
working when its client is told 503 instead of running on in the background.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.validation import (
    MaxIntrospectionDepthRule,
    NoSchemaIntrospectionCustomRule,
    ValidationRule,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.prepared import PreparedQueries
from graphql_api.settings import Settings

T = TypeVar("T")
_deadline: ContextVar[float] = ContextVar("guideline_kg_deadline", default=math.inf)


class BudgetExceeded(BaseException):
    """The request's time budget is spent. A BaseException, so graphql-core's per-field error
    handling (which catches Exception) does not turn it into a located error and carry on."""


class BudgetedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Checks the request's deadline before each field: a query whose answer fans out to millions
    of fields stops within its budget (one clock read per field)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = _deadline.get()

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded
        return super().execute_field(*args, **kwargs)


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


def schema_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Factories (one extension instance per request) enforcing the settings' limits: the token limit
    and the validation rules, applied by graphql_api.prepared.PreparedQueries."""
    rules: list[Any] = [
        *QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,  # ignores __schema / __type ...
        MaxIntrospectionDepthRule,  # ... so nested introspection is bounded here
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        max_results_rule(settings.max_results),
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [PreparedQueries(tuple(rules), settings.max_tokens).extension]


LIST_GUESS = 20  # results assumed for a list field that has no `first`
PAGE_MAX = 100  # kg.lookup.MAX_PAGE: a `first` given by a variable may be this big


def max_results_rule(max_results: int) -> type[ValidationRule]:
    """Refuse, before any work, an operation whose answer could hold more than `max_results` objects:
    each list of objects multiplies what is below it by its `first` (connections) or by LIST_GUESS.
    Nested lists fan out fast (documents { sections { addresses { sections ... } } } runs to millions),
    and the time budget alone would spend seconds on them before refusing."""

    class MaxResultsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = schema.get_root_type(node.operation)
            fragments = {d.name.value: d for d in self.context.document.definitions
                         if isinstance(d, FragmentDefinitionNode)}
            estimate = _results(node.selection_set, root, 1, None, fragments, frozenset(), schema)
            if estimate > max_results:
                self.report_error(GraphQLError(
                    f"the answer could hold about {estimate:,.0f} results, more than the {max_results:,} "
                    "allowed: ask for fewer nested lists or smaller pages", node))

    return MaxResultsRule


def _results(selections: SelectionSetNode | None, parent: Any, multiplier: float, first: float | None,
             fragments: dict[str, FragmentDefinitionNode], seen: frozenset[str], schema: Any) -> float:
    if selections is None or parent is None:
        return 0
    total = 0.0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            fields = getattr(parent, "fields", {})
            field = fields.get(node.name.value) if not node.name.value.startswith("__") else None
            if field is None:
                continue
            kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            count = multiplier
            if isinstance(kind, GraphQLList) and node.selection_set is not None:
                count *= first if (node.name.value == "edges" and first is not None) else LIST_GUESS
            total += count + _results(node.selection_set, get_named_type(field.type), count,
                                      _first(node), fragments, seen, schema)
        elif isinstance(node, InlineFragmentNode):
            typed = schema.get_type(node.type_condition.name.value) if node.type_condition else parent
            total += _results(node.selection_set, typed, multiplier, first, fragments, seen, schema)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen and node.name.value in fragments:
            fragment = fragments[node.name.value]  # cycles are refused by their own rule; never followed here
            total += _results(fragment.selection_set, schema.get_type(fragment.type_condition.name.value),
                              multiplier, first, fragments, seen | {node.name.value}, schema)
    return total


def _first(node: FieldNode) -> float | None:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            return float(argument.value.value) if isinstance(argument.value, IntValueNode) else PAGE_MAX
    return LIST_GUESS if any(a.name.value == "after" for a in node.arguments or ()) else None


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
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
