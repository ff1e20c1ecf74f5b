"""What every resolver may read: the loaded index, its resolver, and the request's clock and
limits."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

import strawberry

from kg.index import GuidelineIndex
from kg.resolve import CachedResolver


@dataclass(frozen=True, slots=True)
class Context:
    index: GuidelineIndex
    today: date  # taken once per request, so "future date" checks stay pure below
    loaded_at: datetime
    max_services: int = 2000

    @property
    def resolver(self) -> CachedResolver:
        return resolver_for(self.index)


_current: list[CachedResolver] = []
_lock = threading.Lock()


def resolver_for(index: GuidelineIndex) -> CachedResolver:
    """The resolver of the serving index: one per process, made anew when a reload swaps the index
    (the old one, and what it kept, go with the old index)."""
    found = _current[0] if _current else None
    if found is None or found.index is not index:
        with _lock:
            found = _current[0] if _current else None
            if found is None or found.index is not index:
                found = CachedResolver(index)
                _current[:] = [found]
    return found


Info = strawberry.Info[Context, None]
