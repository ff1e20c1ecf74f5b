"""Compiled execution: an operation's plan is worked out once, then each request only runs it.

graphql-core walks a query anew for every request and every object in the answer: it collects the
fields of each selection set, builds a path and a resolve-info record per field, looks the field's
type up and completes the value through several layers. For a resolve answer of 1,000 services
that is some 60,000 fields, each paying microseconds of bookkeeping for work that only depends on
the query text. A plan does that bookkeeping at compile time: for every selection set and every
type the value may have, the response keys in order, how to read each field (the attribute
itself for plain fields, the field's own resolver otherwise) and how to complete its value
(a closure per type: non-null check, list, leaf serialization, sub-selection).

A plan answers only what it can answer exactly as graphql-core would, and hands everything else
back (`Fallback`), in which case graphql-core executes the operation from the start:
- at compile time: directives other than `@skip` and `@include` (`@defer`, `@stream`, ...),
  introspection fields, mutations and
  subscriptions, fragment variables, fields without a resolver of their own;
- at run time: any exception from a resolver, a null for a non-null field, a value a leaf type
  cannot serialize, an awaitable result, an object whose class the plan cannot place in a union.
Our resolvers are read-only, so running one twice changes nothing; errors, their paths and null
propagation therefore always come from graphql-core itself.

Plans are cached per operation node (the parser cache hands back the same document for the same
query text) and per schema; an operation whose `@skip` or `@include` take a variable has one plan
per combination of those variables' values (the explorer's pages ask for a diagnosis only when
one is given).
"""

from __future__ import annotations

import keyword
import logging
import math
import re
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_argument_values,
    is_abstract_type,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined

from graphql_api.direct import direct_resolver

log = logging.getLogger("guideline_kg.graphql")
Complete = Callable[[Any, "_Run"], Any]
RunSelection = Callable[[Any, "_Run"], dict[str, Any]]  # a selection set's generated function
# response key, attribute (plain field), resolver, completion, typename or (field, nodes), path kept
Step = tuple[str, str | None, Callable[..., Any] | None, Complete | None, Any, bool]
_BACKREF = "strawberry-definition"  # where strawberry keeps its own definition of a GraphQL type or field
PLAN_CACHE_SIZE = 256
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")  # a GraphQL name


class Fallback(Exception):
    """The plan cannot give graphql-core's exact answer for this request; graphql-core runs it."""


class NotCompilable(Exception):
    """The operation uses something plans do not cover; graphql-core always runs it."""


class _Run:
    """What one execution of a plan needs: the executor (context, variables, resolve info), the
    response path of the field being completed (kept only for fields with resolvers) and the deadline."""

    __slots__ = ("executor", "deadline", "keys")

    def __init__(self, executor: Any, deadline: float) -> None:
        self.executor = executor
        self.deadline = deadline
        self.keys: list[str | int] = []

    def path(self, typename: str) -> Path:
        """The path of the field being resolved (its key is the last one kept), as graphql-core gives it."""
        path: Path | None = None
        for k in self.keys[:-1]:
            path = Path(path, k, None)
        return Path(path, self.keys[-1], typename)


class OperationPlan:
    """The compiled plan of one query operation."""

    def __init__(self, root: RunSelection) -> None:
        self.root = root  # the generated function of the operation's selection set (see `_generate`)

    def run(self, executor: Any, deadline: float) -> dict[str, Any]:
        """The operation's `data`, or Fallback; the deadline (time.monotonic) is checked once per object."""
        return self.root(executor.root_value, _Run(executor, deadline))


def _generate(parent: GraphQLObjectType, steps: list[Step]) -> RunSelection:
    """One selection set on one concrete object type, its steps in response order, as one Python
    function: a dict display with one entry per response key, in order (Python evaluates them left
    to right, as graphql-core executes them). A plain field reads
    the attribute; a String, ID or Boolean value of the exact built-in class is taken as it is (the
    serializer would return it unchanged), anything else goes through the field's completion. Fields
    with a resolver run as statements, keeping the response path for the resolver's info.
    The code is generated from the schema and the query's response keys only: keys are GraphQL names
    and attributes Python identifiers (checked), never request data."""
    from graphql_api.limits import BudgetExceeded  # the same stop as the ordinary executor's

    names: dict[str, Any] = {"clock": time.monotonic, "BudgetExceeded": BudgetExceeded, "Fallback": Fallback,
                             "is_type_of": parent.is_type_of, "call": _call, "parent": parent,
                             "U": Undefined, "missing": _missing}
    lines = ["def run(source, run):",
             "    if clock() > run.deadline:",
             "        raise BudgetExceeded"]
    if parent.is_type_of is not None:
        lines += ["    if not is_type_of(source, None):", "        raise Fallback"]
    entries: list[str] = []
    statements: list[str] = []
    for n, (key, attribute, resolve, complete, extra, track) in enumerate(steps):
        if not _NAME.fullmatch(key):
            raise NotCompilable(f"response key {key!r}")
        names[f"c{n}"] = complete
        if attribute is not None:
            if not attribute.isidentifier() or keyword.iskeyword(attribute):
                raise NotCompilable(f"attribute {attribute!r}")
            same = getattr(complete, "same", None)
            names[f"s{n}"], names[f"o{n}"] = same, getattr(complete, "object_run", None)
            names[f"m{n}"] = getattr(complete, "non_null", False)
            if same is not None:
                value = f"(v if (v := source.{attribute}).__class__ is s{n} else c{n}(v, run))"
            elif names[f"o{n}"] is not None:
                value = f"(o{n}(v, run) if (v := source.{attribute}) is not None and v is not U else missing(m{n}))"
            else:
                value = f"c{n}(source.{attribute}, run)"
        elif resolve is not None:
            names[f"r{n}"], names[f"e{n}"] = resolve, extra
            value = f"c{n}(call(r{n}, source, e{n}, parent, run), run)"
        else:
            names[f"t{n}"] = extra
            value = f"t{n}"
        if track:  # a resolver runs here or below: it is given its response path
            statements += [f"    run.keys.append({key!r})", f"    out[{key!r}] = {value}", "    run.keys.pop()"]
        elif statements:
            statements.append(f"    out[{key!r}] = {value}")
        else:
            entries.append(f"{key!r}: {value}")
    lines.append("    out = {" + ", ".join(entries) + "}")
    lines += statements
    lines.append("    return out")
    code = compile("\n".join(lines), f"<plan of {parent.name}>", "exec")
    exec(code, names)  # noqa: S102 - our own generated source, see the docstring
    return names["run"]  # type: ignore[no-any-return]


def _call(resolve: Callable[..., Any], source: Any, extra: Any, parent: GraphQLObjectType, run: _Run) -> Any:
    field, nodes, direct = extra
    executor = run.executor
    info = executor.build_resolve_info(field, nodes, parent, run.path(parent.name))
    args = get_argument_values(field, nodes[0], executor.variable_values) if field.args or nodes[0].arguments else {}
    result = direct(source, info, args) if direct is not None else resolve(source, info, **args)
    if executor.is_awaitable(result):
        close = getattr(result, "close", None)
        if close is not None:  # a coroutine never awaited would warn
            close()
        raise Fallback
    return result


# ------------------------------------------------------------------ compile


class _Compiler:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 conditions: Mapping[str, Any]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.conditions = conditions  # the values of the variables @skip and @include name
        self.strawberry = getattr(schema, "_strawberry_schema", None)
        # strawberry's default resolver is getattr: plain fields read the attribute
        self.plain = self.strawberry is not None and self.strawberry.config.default_resolver is getattr
        self.resolvers = 0  # resolver fields compiled so far: a step whose subtree adds one keeps its path

    def selection(self, parent: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]) -> RunSelection:
        grouped: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect(parent, selection_set, grouped, frozenset())
        return _generate(parent, [self._step(parent, key, nodes) for key, nodes in grouped.items()])

    def _collect(self, parent: GraphQLObjectType, selection_set: SelectionSetNode,
                 grouped: dict[str, list[FieldNode]], seen: frozenset[str]) -> None:
        for node in selection_set.selections:
            if node.directives and not self._included(node):
                continue
            if isinstance(node, FieldNode):
                grouped.setdefault(node.alias.value if node.alias else node.name.value, []).append(node)
            elif isinstance(node, InlineFragmentNode):
                if node.type_condition is None or self._applies(node.type_condition.name.value, parent):
                    self._collect(parent, node.selection_set, grouped, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    raise NotCompilable("fragment")
                if getattr(fragment, "variable_definitions", None) or fragment.directives:
                    raise NotCompilable("fragment variables or directives")
                if self._applies(fragment.type_condition.name.value, parent):
                    self._collect(parent, fragment.selection_set, grouped, seen | {name})
            else:
                raise NotCompilable(type(node).__name__)

    def _included(self, node: Any) -> bool:
        """graphql-core's rule for @skip and @include (skip wins), on the values this plan is for."""
        keep = True
        for directive in node.directives:
            name = directive.name.value
            arguments = directive.arguments or ()
            if name not in ("skip", "include") or len(arguments) != 1 or arguments[0].name.value != "if":
                raise NotCompilable(f"directive @{name}")
            value = arguments[0].value
            if isinstance(value, BooleanValueNode):
                flag = value.value
            elif isinstance(value, VariableNode) and isinstance(self.conditions.get(value.name.value), bool):
                flag = self.conditions[value.name.value]
            else:
                raise NotCompilable("a directive's condition")
            if flag == (name == "skip"):
                keep = False
        return keep

    def _applies(self, condition: str, parent: GraphQLObjectType) -> bool:
        kind = self.schema.get_type(condition)
        if kind is parent:
            return True
        return is_abstract_type(kind) and self.schema.is_sub_type(kind, parent)  # type: ignore[arg-type]

    def _step(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> Step:
        name = nodes[0].name.value
        if name == "__typename":
            return (key, None, None, None, parent.name, False)
        if name.startswith("__"):
            raise NotCompilable("introspection")
        field: GraphQLField | None = parent.fields.get(name)
        if field is None or field.resolve is None:
            raise NotCompilable(f"field {name}")
        sub_selections = [n.selection_set for n in nodes if n.selection_set is not None]
        before = self.resolvers
        complete = self._completer(field.type, sub_selections)
        definition = (field.extensions or {}).get(_BACKREF)
        basic = getattr(field.resolve, "__name__", "") == "_get_basic_result" and not field.args
        if basic and self.plain and definition is not None and not nodes[0].arguments:
            return (key, definition.python_name, None, complete, None, self.resolvers > before)
        self.resolvers += 1
        return (key, None, field.resolve, complete, (field, nodes, direct_resolver(field, self.strawberry)), True)

    def _completer(self, kind: GraphQLOutputType, selections: list[SelectionSetNode],
                   non_null: bool = False) -> Complete:
        """How to complete a value of `kind` (non-null when the wrapper said so), decided once."""
        if isinstance(kind, GraphQLNonNull):
            return self._completer(kind.of_type, selections, True)
        if isinstance(kind, GraphQLList):
            return self._list(kind, selections, non_null)
        if is_leaf_type(kind):
            return _leaf(kind, non_null)
        if isinstance(kind, GraphQLObjectType):
            return _object(self.selection(kind, selections), non_null)
        if isinstance(kind, GraphQLAbstractType):
            return self._abstract(kind, selections, non_null)
        raise NotCompilable(str(kind))

    def _list(self, kind: GraphQLList, selections: list[SelectionSetNode], non_null: bool) -> Complete:
        before = self.resolvers
        item = self._completer(kind.of_type, selections)
        with_paths = self.resolvers > before  # a resolver below is given its list index too
        object_run = None if with_paths else getattr(item, "object_run", None)
        item_non_null = getattr(item, "non_null", False)

        def listed(value: Any, run: _Run) -> Any:
            if value.__class__ is not list and value.__class__ is not tuple:
                if value is None or value is Undefined:
                    if non_null:
                        raise Fallback  # graphql-core reports it and nulls the parent
                    return None
                if not isinstance(value, list | tuple):
                    raise Fallback
            if object_run is not None:
                return [object_run(v, run) if v is not None and v is not Undefined else _missing(item_non_null)
                        for v in value]
            if not with_paths:
                return [item(v, run) for v in value]
            out = []
            for n, v in enumerate(value):
                run.keys.append(n)
                out.append(item(v, run))
                run.keys.pop()
            return out

        return listed

    def _abstract(self, kind: GraphQLAbstractType, selections: list[SelectionSetNode], non_null: bool) -> Complete:
        by_class: dict[type, Callable[[Any, _Run], Any]] = {}
        for possible in self.schema.get_possible_types(kind):
            definition = (possible.extensions or {}).get(_BACKREF)
            origin = getattr(definition, "origin", None)
            if origin is None or getattr(definition, "concrete_of", None) is not None or origin in by_class:
                raise NotCompilable(f"abstract type {kind.name}")  # generic members: graphql-core decides
            by_class[origin] = self.selection(possible, selections)

        def abstract(value: Any, run: _Run) -> Any:
            found = by_class.get(value.__class__)
            if found is None:
                if (value is None or value is Undefined) and not non_null:
                    return None
                raise Fallback  # a null for a non-null field, or a class the plan cannot place
            return found(value, run)

        return abstract


def _object(run_plan: Callable[[Any, _Run], Any], non_null: bool) -> Complete:
    def obj(value: Any, run: _Run) -> Any:
        if value is None or value is Undefined:
            if non_null:
                raise Fallback
            return None
        return run_plan(value, run)

    obj.object_run = run_plan  # type: ignore[attr-defined]  # for the generated code and lists to call directly
    obj.non_null = non_null  # type: ignore[attr-defined]
    return obj


def _missing(non_null: bool) -> Any:
    """The answer for a null where an object was expected: null, or (non-null) graphql-core's error."""
    if non_null:
        raise Fallback
    return None


def _leaf(kind: Any, non_null: bool) -> Complete:
    """Serialize with the type's own serializer; the values it would hand back unchanged (a str for
    String and ID, a bool for Boolean, an int in range for Int, a finite float for Float, a member of
    a strawberry enum) skip the call."""
    serialize = kind.serialize
    same: type | None = {id(GraphQLString): str, id(GraphQLID): str, id(GraphQLBoolean): bool,
                         id(GraphQLInt): int, id(GraphQLFloat): float}.get(id(kind))
    names = _enum_names(kind)

    def leaf(value: Any, run: _Run) -> Any:
        cls = value.__class__
        if cls is same and (cls is not int or -2147483648 <= value <= 2147483647) and (
                cls is not float or math.isfinite(value)):
            return value
        if names is not None:
            found = names.get(value) if cls is names.cls else None
            if found is not None:
                return found
        if value is None or value is Undefined:
            if non_null:
                raise Fallback  # graphql-core reports it and nulls the parent
            return None
        out = serialize(value)
        if out is None or out is Undefined:
            raise Fallback
        return out

    if names is None and same in (str, bool):
        leaf.same = same  # type: ignore[attr-defined]  # the generated code may skip the call for these
    return leaf


class _EnumNames(dict[Any, str]):
    cls: type


def _enum_names(kind: Any) -> _EnumNames | None:
    """A strawberry enum's members by the name its serializer gives them (it searches the values)."""
    wrapped = getattr(kind, "wrapped_cls", None)
    if not isinstance(kind, GraphQLEnumType) or not isinstance(wrapped, type):
        return None
    names = _EnumNames()
    names.cls = wrapped
    for member in wrapped:  # type: ignore[attr-defined]
        try:
            names[member] = kind.serialize(member)
        except Exception:  # noqa: BLE001 - left to the serializer at run time
            continue
    return names


def compile_operation(schema: GraphQLSchema, operation: OperationDefinitionNode,
                      fragments: dict[str, FragmentDefinitionNode],
                      conditions: Mapping[str, Any] | None = None) -> OperationPlan | None:
    """The plan of a query operation, or None when plans do not cover it. `conditions`: the values
    of the variables its @skip and @include name (see `condition_variables`)."""
    if operation.operation is not OperationType.QUERY or operation.directives or schema.query_type is None:
        return None
    try:
        return OperationPlan(_Compiler(schema, fragments, conditions or {}).selection(
            schema.query_type, [operation.selection_set]))
    except (NotCompilable, RecursionError):
        return None
    except Exception as exc:  # noqa: BLE001 - a plan is only ever a shortcut: graphql-core answers without one
        # the class and the stack only: a message could quote the query (aliases are the client's words)
        log.error("no plan for an operation (graphql-core runs it): %s\n%s", type(exc).__name__,
                  "".join(traceback.format_tb(exc.__traceback__)))
        return None


def condition_variables(operation: OperationDefinitionNode,
                        fragments: dict[str, FragmentDefinitionNode]) -> tuple[str, ...]:
    """The variables an operation's @skip and @include take their condition from, sorted."""
    found: set[str] = set()
    pending: list[Any] = [operation.selection_set]
    seen: set[str] = set()
    while pending:
        selection_set = pending.pop()
        for node in selection_set.selections if selection_set else ():
            for directive in node.directives or ():
                for argument in directive.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        found.add(argument.value.name.value)
            if isinstance(node, FragmentSpreadNode):
                if node.name.value not in seen and node.name.value in fragments:
                    seen.add(node.name.value)
                    pending.append(fragments[node.name.value].selection_set)
            elif node.selection_set is not None:
                pending.append(node.selection_set)
    return tuple(sorted(found))


class PlanCache:
    """Plans by operation node, most recently used kept (the node is held, so its id is not reused).

    An operation is compiled the second time it is seen (with the same values of its @skip and
    @include variables): the parser cache hands back the same document for a query text it has
    seen, so a client's repeated query is compiled once, and a query sent only once costs no
    compiling (generating the code takes longer than running it)."""

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.size = size
        self.lock = threading.Lock()  # operations run in worker threads
        self.plans: OrderedDict[tuple[Any, ...], tuple[Any, Any, OperationPlan | None | bool]] = OrderedDict()
        self.conditions: OrderedDict[int, tuple[Any, tuple[str, ...]]] = OrderedDict()

    def get(self, schema: GraphQLSchema, operation: OperationDefinitionNode,
            fragments: dict[str, FragmentDefinitionNode],
            variables: Mapping[str, Any] | None = None) -> OperationPlan | None:
        names = self._condition_names(operation, fragments)
        values = tuple((variables or {}).get(name) for name in names)
        key = (id(schema), id(operation), values)
        with self.lock:
            found = self.plans.get(key)
            if found is None or found[0] is not schema or found[1] is not operation:
                self._keep(key, (schema, operation, False))  # seen once: not compiled yet
                return None
            self.plans.move_to_end(key)
            if found[2] is not False:
                return found[2]  # type: ignore[return-value]
        plan = compile_operation(schema, operation, fragments, dict(zip(names, values, strict=True)))
        with self.lock:
            self._keep(key, (schema, operation, plan))
        return plan

    def _condition_names(self, operation: OperationDefinitionNode,
                         fragments: dict[str, FragmentDefinitionNode]) -> tuple[str, ...]:
        with self.lock:
            found = self.conditions.get(id(operation))
            if found is not None and found[0] is operation:
                return found[1]
        names = condition_variables(operation, fragments)
        with self.lock:
            self.conditions[id(operation)] = (operation, names)
            if len(self.conditions) > self.size:
                self.conditions.popitem(last=False)
        return names

    def _keep(self, key: tuple[Any, ...], entry: tuple[Any, Any, OperationPlan | None | bool]) -> None:
        self.plans[key] = entry
        self.plans.move_to_end(key)
        if len(self.plans) > self.size:
            self.plans.popitem(last=False)
