"""Limits that keep one request from taking the server down: query shape, body size, time.

Query shape is checked by validation rules built once (so strawberry's validation cache can key
on them); the body size by a pure ASGI middleware; the time budget in `view.GraphQLView`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql.validation import MaxIntrospectionDepthRule, NoSchemaIntrospectionCustomRule
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from graphql_api.settings import Settings

CACHE_SIZE = 256  # distinct query texts kept parsed and validated


def schema_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Factories (one extension instance per request) enforcing the settings' limits."""
    rules: list[Any] = [
        *QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,  # ignores __schema / __type ...
        MaxIntrospectionDepthRule,  # ... so nested introspection is bounded here
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ]


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
