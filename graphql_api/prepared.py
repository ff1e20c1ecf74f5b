"""Queries prepared once per query text, and answered without strawberry's per-request machinery.

`PreparedQueries` parses each distinct query text (with the token limit) and validates it (with our
rules) once. It does the work of strawberry's MaxTokensLimiter, AddValidationRules, ParserCache and
ValidationCache, in one extension instead of four (each costs hook calls on every request), and
finds validation results by the parsed document's identity: strawberry's ValidationCache hashes the
whole syntax tree on every request. Both caches are bounded LRUs.

`PreparedQueries.answer` is the short way for the requests clients repeat all day: a query text
already parsed and valid, whose operation has a compiled plan (graphql_api.compiled), runs that
plan on graphql-core's executor directly (variables coerced by graphql-core as always). That skips
strawberry's execution context, extension hooks and result handling, which cost about as much as
answering a one-service resolve. It only ever answers what has nothing for them to do: no other
schema extension, a query operation, no errors. Everything else (None) goes the full way through
`Schema.execute_sync`, which then reports what is wrong exactly as it always does.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationType, parse, specified_rules
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

CACHE_SIZE = 256  # distinct query texts kept parsed and validated


class _Identity:
    """A parsed document as a cache key: the same object, not an equal tree (hashing a syntax tree
    walks all of it; the parse cache hands back the same object for the same query text)."""

    __slots__ = ("document",)

    def __init__(self, document: DocumentNode) -> None:
        self.document = document

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.document is self.document


class PreparedQueries:
    """Each distinct query text parsed (with the token limit) and validated (with our rules) once."""

    def __init__(self, rules: tuple[type[ASTValidationRule], ...], max_tokens: int) -> None:
        self.rules = rules
        self.all_rules = tuple(specified_rules) + rules  # what strawberry's execution context will hold
        self.max_tokens = max_tokens
        self.parse = lru_cache(maxsize=CACHE_SIZE)(_parse)
        self.validate = lru_cache(maxsize=CACHE_SIZE)(_validate)

    def extension(self) -> SchemaExtension:
        """A factory of the schema extension (strawberry makes one per request)."""
        return _Prepared(self)

    @staticmethod
    def of(schema: Any) -> PreparedQueries | None:
        """The PreparedQueries whose extension `schema` runs, when it is the schema's only extension:
        with any other, every operation goes strawberry's way (that extension must see it)."""
        extensions = list(getattr(schema, "extensions", ()))
        owner = getattr(extensions[0], "__self__", None) if len(extensions) == 1 else None
        return owner if isinstance(owner, PreparedQueries) else None

    def answer(self, schema: Any, query: str, variables: dict[str, Any] | None, context: Any,
               operation_name: str | None) -> ExecutionResult | None:
        """The answer by the operation's compiled plan, or None: go the full way. Only for a schema
        whose one extension is this one's (see `of`)."""
        from graphql_api.execution import plan_for

        graphql_schema = schema._schema
        try:
            document = self.parse(query, self.max_tokens)
        except GraphQLError:
            return None
        if self.validate(graphql_schema, _Identity(document), self.all_rules):
            return None
        executor = schema.execution_context_class.build(graphql_schema, document, None, context, variables,
                                                         operation_name)
        if isinstance(executor, list) or executor.operation.operation is not OperationType.QUERY:
            return None  # variable errors, or not a query
        plan = plan_for(executor)
        if plan is None:
            return None
        try:
            data = plan.run(executor, executor.deadline)
        except Exception:  # noqa: BLE001 - a Fallback, or a fault: the full way answers and reports it
            return None
        return ExecutionResult(data=data, errors=None)


def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def _validate(schema: GraphQLSchema, document: _Identity, rules: tuple[type[ASTValidationRule], ...],
              ) -> list[GraphQLError]:
    from strawberry.schema.schema import validate_document  # graphql-core's validate with strawberry's rules

    return validate_document(schema, document.document, rules)


class _Prepared(SchemaExtension):
    def __init__(self, queries: PreparedQueries) -> None:
        self.queries = queries

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.queries.max_tokens
        context.validation_rules = context.validation_rules + self.queries.rules
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = self.queries.parse(context.query, self.queries.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = self.queries.validate(
            context.schema._schema, _Identity(context.graphql_document), tuple(context.validation_rules))
        yield
