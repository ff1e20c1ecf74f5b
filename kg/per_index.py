"""Tables read from one index once, on first use, and dropped when the index goes.

What a step derives from the graph alone (a section's criteria sorted by how they are judged, the
dose limits written for a drug class) is the same for every request over that index; the index
itself stays as it was built. An index is a mutable-looking (unhashable) dataclass, so a table is
kept per index object, and a finalizer forgets it when the index is collected: a reloaded graph
gets its own tables and the old ones go with the old index.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TypeVar

from kg.index import GuidelineIndex

T = TypeVar("T")


def per_index(build: Callable[[GuidelineIndex], T]) -> Callable[[GuidelineIndex], T]:
    """`build(index)` made once per index object (two threads may both build it the first time:
    the same table either way)."""
    tables: dict[int, T] = {}

    def of(index: GuidelineIndex) -> T:
        key = id(index)  # unique while the index lives; the finalizer forgets it before reuse
        table = tables.get(key)
        if table is None:
            table = tables[key] = build(index)
            weakref.finalize(index, tables.pop, key, None)
        return table

    return of
