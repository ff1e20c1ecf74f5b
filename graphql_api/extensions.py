"""Two schema extensions of our own, beside strawberry's limiters: a parse and validation cache that
a client cannot fill with large documents, and errors that repeat little of what the client sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension

from graphql_api import placement

# the explorer's largest query is ~2 KB; larger texts are parsed each time
CACHED_QUERY_CHARS = 8192
CACHE_ENTRIES = 128  # so the cache holds at most ~1 MB of query text and its syntax trees
MESSAGE_CHARS = 300  # an error never repeats more of the request than this
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class SmallQueryCache(SchemaExtension):
    """Parses and validates each distinct query text of at most CACHED_QUERY_CHARS once (clients
    send the same few queries with new variables). strawberry's ParserCache and ValidationCache are
    bounded by entries only: 570 distinct 1 MB queries pinned 620 MB in a worker. A larger text goes
    strawberry's ordinary way, parsed and validated on each request and then let go."""

    def __init__(self) -> None:
        self._parse = _cached_parse
        self._validate = _cached_validate

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and len(context.query) <= CACHED_QUERY_CHARS:
            context.graphql_document = self._parse(
                context.query, context.parse_options.get("max_tokens")
            )
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query, document = context.query, context.graphql_document
        if query is not None and len(query) <= CACHED_QUERY_CHARS and document is not None:
            context.pre_execution_errors = self._validate(
                context.schema, query, document, tuple(context.validation_rules)
            )
        yield


@lru_cache(maxsize=CACHE_ENTRIES)
def _cached_parse(query: str, max_tokens: int | None) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


_validations: dict[tuple[int, str, tuple[Any, ...]], list[GraphQLError]] = {}


def _cached_validate(
    schema: Any, query: str, document: DocumentNode, rules: tuple[Any, ...]
) -> list[GraphQLError]:
    """Validation errors of `query` (whose parse is `document`) under `rules`; keyed by the query
    text, which is cheap to hash, rather than by the syntax tree. The rule classes are built once
    per schema, so the key does not grow."""
    from strawberry.schema.schema import (
        validate_document,
    )  # graphql-core's validate with strawberry's rules

    key = (id(schema), query, rules)
    found = _validations.get(key)
    if found is None:
        found = validate_document(schema._schema, document, rules)
        if not found:  # valid: where its requests will run (placement.py), judged once per text
            placement.record(schema._schema, query, document)
        if len(_validations) >= CACHE_ENTRIES:
            _validations.clear()
        _validations[key] = found
    return found


class ClientErrors(SchemaExtension):
    """Errors as the client sees them: a message cut to MESSAGE_CHARS (an unknown field name of
    990 KB was echoed back whole), and without "Did you mean ...?" when introspection is off (the
    suggestions would reveal the schema that introspection hides)."""

    def __init__(self, *, hide_suggestions: bool) -> None:
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        result = context.result
        for error in (
            (result.errors if result is not None else None) or context.pre_execution_errors or ()
        ):
            error.message = self.worded(error.message)

    def worded(self, message: str) -> str:
        if self.hide_suggestions:
            message = _SUGGESTION.sub("", message)
        return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 1] + "…"
