"""The shape of an operation, measured in one pass over its document: how deep it nests, how many
aliases it uses and how many objects its answer could hold.

Each fragment is measured once, whatever the number of places that spread it. Walking every spread
again (as strawberry's QueryDepthLimiter and MaxAliasesLimiter do) doubles the work at each level
of a fragment that spreads the next one twice: 30 such levels in 1.2 KB of query text kept a worker
busy for minutes, before any limit could refuse them. Here the cost is linear in the size of the
document.

The answer-size estimate is linear in the multiplier that the enclosing lists put on a selection
(every term below a list is multiplied by its length), so a fragment is measured for a multiplier
of one and scaled where it is spread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

from kg.lookup import MAX_PAGE

LIST_GUESS = 20  # objects assumed for a list field that has no `first`
PAGE_MAX = MAX_PAGE  # a `first` given by a variable may ask for the largest page


@dataclass(frozen=True)
class Shape:
    """What a selection set (with the fragments it spreads) asks for."""

    depth: int  # nesting of fields with selections, introspection fields not counted
    aliases: int  # fields with an alias, each spread of a fragment counting its own again
    results: float  # objects the answer could hold, per object of the enclosing type

    def __add__(self, other: Shape) -> Shape:
        return Shape(
            max(self.depth, other.depth), self.aliases + other.aliases, self.results + other.results
        )


EMPTY = Shape(0, 0, 0.0)


class Measure:
    """Measures the operations of one document against one schema; fragments measured once."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.done: dict[tuple[str, float | None], Shape] = {}
        self.open: set[str] = (
            set()
        )  # fragments being measured: a cycle (refused by its own rule) counts nothing

    def operation(self, node: OperationDefinitionNode) -> Shape:
        return self.selections(node.selection_set, self.schema.get_root_type(node.operation), None)

    def selections(
        self, selections: SelectionSetNode | None, parent: Any, first: float | None
    ) -> Shape:
        total = EMPTY
        for node in selections.selections if selections is not None else ():
            if isinstance(node, FieldNode):
                total = total + self.field(node, parent, first)
            elif isinstance(node, InlineFragmentNode):
                typed = parent
                if node.type_condition is not None and parent is not None:
                    typed = self.schema.get_type(node.type_condition.name.value)
                total = total + self.selections(node.selection_set, typed, first)
            elif isinstance(node, FragmentSpreadNode):
                total = total + self.fragment(node.name.value, first)
        return total

    def fragment(self, name: str, first: float | None) -> Shape:
        key = (name, first)
        if key not in self.done:
            definition = self.fragments.get(name)
            if definition is None or name in self.open:
                return EMPTY
            self.open.add(name)
            try:
                typed = self.schema.get_type(definition.type_condition.name.value)
                self.done[key] = self.selections(definition.selection_set, typed, first)
            finally:
                self.open.discard(name)
        return self.done[key]

    def field(self, node: FieldNode, parent: Any, first: float | None) -> Shape:
        aliases = 1 if node.alias is not None else 0
        name = node.name.value
        field = None if name.startswith("__") else getattr(parent, "fields", {}).get(name)
        if (
            field is None
        ):  # introspection (bounded by its own rule), or unknown (refused): aliases still count
            return Shape(0, aliases + self.selections(node.selection_set, None, None).aliases, 0.0)
        kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        count = 1.0
        if isinstance(kind, GraphQLList) and node.selection_set is not None:
            count = first if (name == "edges" and first is not None) else LIST_GUESS
        below = self.selections(node.selection_set, get_named_type(field.type), _first(node))
        depth = 1 + below.depth if node.selection_set is not None else 0
        return Shape(depth, aliases + below.aliases, count + count * below.results)


def _first(node: FieldNode) -> float | None:
    """The page size a connection field asks for (a variable may ask for the largest page)."""
    for argument in node.arguments or ():
        if argument.name.value == "first":
            return (
                float(argument.value.value)
                if isinstance(argument.value, IntValueNode)
                else PAGE_MAX
            )
    return LIST_GUESS if any(a.name.value == "after" for a in node.arguments or ()) else None
