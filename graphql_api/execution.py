"""A faster execution of plain leaf fields, the bulk of a resolve answer.

graphql-core spends several microseconds on every field: a path, a resolve-info record, the
resolver through strawberry's wrapper, then completion. Most fields of an answer are plain
values read from an attribute (`text`, `guideline`, `status`, a list of strings). For those, and
only those, this execution context reads the attribute with the field's own resolver and
serializes it with the field's own scalar or enum type, as graphql-core would. Anything else
goes the ordinary way: fields with arguments or directives, resolvers, objects, abstract types,
`__typename`, and any value the shortcut is unsure of (a null for a non-null field, a value the
type cannot serialize) — which graphql-core then reports exactly as it always does.
"""

from __future__ import annotations

import math
from typing import Any

from graphql import GraphQLField, GraphQLList, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.compiled import OperationPlan, PlanCache

Plan = tuple[Any, bool, bool, Any, bool]  # resolver, non-null, list, serialize, non-null items
_PLANS: dict[int, tuple[GraphQLObjectType, dict[str, Plan | None]]] = {}


class _Unsure(Exception):
    pass


def plan_of(field: GraphQLField) -> Plan | None:
    """How to complete a field without graphql-core's per-field machinery, if it is a plain value."""
    resolve = field.resolve
    # strawberry gives a field with no resolver, permission or extension this exact resolver
    if getattr(resolve, "__name__", "") != "_get_basic_result" or field.args:
        return None
    kind = field.type
    non_null = isinstance(kind, GraphQLNonNull)
    kind = kind.of_type if non_null else kind
    if isinstance(kind, GraphQLList):
        item = kind.of_type
        item_non_null = isinstance(item, GraphQLNonNull)
        item = item.of_type if item_non_null else item
        return (resolve, non_null, True, item.serialize, item_non_null) if is_leaf_type(item) else None
    return (resolve, non_null, False, kind.serialize, False) if is_leaf_type(kind) else None


def _plans(parent: GraphQLObjectType) -> dict[str, Plan | None]:
    found = _PLANS.get(id(parent))
    if found is None or found[0] is not parent:
        found = (parent, {name: plan_of(field) for name, field in parent.fields.items()})
        _PLANS[id(parent)] = found
    return found[1]


def _complete(plan: Plan, source: Any) -> Any:
    resolve, non_null, is_list, serialize, item_non_null = plan
    value = resolve(source, None)
    if value is None or value is Undefined:
        if non_null:
            raise _Unsure
        return None
    if not is_list:
        out = serialize(value)
        if out is None or out is Undefined:
            raise _Unsure
        return out
    if not isinstance(value, list | tuple):
        raise _Unsure
    items = []
    for item in value:
        if item is None:
            if item_non_null:
                raise _Unsure
            items.append(None)
            continue
        out = serialize(item)
        if out is None or out is Undefined:
            raise _Unsure
        items.append(out)
    return items


class FastLeaves:
    """Mixin over an execution context class: what a compiled plan hands back runs with plain leaf
    fields completed directly (see `compiled`)."""

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Any,
                       grouped_field_set: dict[str, Any], position_context: Any) -> Any:
        manager = self.middleware_manager  # type: ignore[attr-defined]
        if manager is not None and manager.middlewares:  # a resolve hook must see every field
            return super().execute_fields(  # type: ignore[misc]
                parent_type, source_value, path, grouped_field_set, position_context)
        plans = _plans(parent_type)
        results: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for response_name, details in grouped_field_set.items():
            node = details[0].node
            plan = plans.get(node.name.value)
            if plan is not None and not node.arguments and not node.directives:
                try:
                    results[response_name] = _complete(plan, source_value)
                    continue
                except Exception:  # noqa: BLE001 - graphql-core completes it again and reports it
                    pass
            results[response_name] = None  # keeps the field's place in the answer
            rest[response_name] = details
        if not rest:
            return results
        done = super().execute_fields(parent_type, source_value, path, rest, position_context)  # type: ignore[misc]
        if self.is_awaitable(done):  # type: ignore[attr-defined]
            async def merged() -> dict[str, Any]:
                return _merge(results, rest, await done)

            return merged()
        return _merge(results, rest, done)


_PLANS_BY_OPERATION = PlanCache()


def plan_for(executor: Any) -> OperationPlan | None:
    """The compiled plan of the executor's operation (None until it is seen twice, or not compilable)."""
    return _PLANS_BY_OPERATION.get(executor.schema, executor.operation, executor.fragment_definitions,
                                   executor.variable_values.coerced)


class Compiled:
    """Mixin: run the operation's compiled plan (graphql_api.compiled); graphql-core runs whatever the
    plan hands back, with the base class's own per-field hooks."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        manager = self.middleware_manager  # type: ignore[attr-defined]
        if (serially is None and self.abort_signal is None and self.hooks is None  # type: ignore[attr-defined]
                and (manager is None or not manager.middlewares)):  # a resolve hook must see every field
            plan = plan_for(self)
            if plan is not None:
                try:
                    data = plan.run(self, getattr(self, "deadline", math.inf))
                except Exception:  # noqa: BLE001 - graphql-core runs it again and reports what went wrong
                    pass
                else:
                    return self.finish(self.build_response(data))  # type: ignore[attr-defined]
        return super().execute_operation(serially)  # type: ignore[misc]


def compiled(base: type[StrawberryGraphQLCoreExecutionContext] = StrawberryGraphQLCoreExecutionContext,
             ) -> type[StrawberryGraphQLCoreExecutionContext]:
    """`base` running compiled plans first, then with plain leaf fields completed directly."""
    return type(f"Compiled{base.__name__}", (Compiled, FastLeaves, base), {})


def _merge(results: dict[str, Any], rest: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
    for name in rest:
        if name in done:
            results[name] = done[name]
        else:  # a field graphql-core left out (not in the schema)
            del results[name]
    return results
