"""A per-index memo of the resolver's pure steps, so a request does no work the index already did.

Everything kept here is a pure function of the index and the key it is stored under, so a hit
returns exactly what a fresh computation would (the answers are frozen values). The memo lives
on the index it describes (never pickled with it, see GuidelineIndex.__getstate__) and reaches
the index only through a weak proxy, so a replaced index and its memo are freed together.

Dates enter the ranking only by comparison with the graph's own dates (MTUS adoptions begin and
end, documents are published), so a request date is keyed by its *epoch*: how many of those
dates are on or before it. Every date of one epoch ranks every section the same way.
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.index import GuidelineIndex

ATTRIBUTE = "_resolver_memo"
READINGS = 8192  # distinct service texts kept read
DIAGNOSES = 4096  # distinct (diagnoses, date) pairs kept read
RANKINGS = 8192  # distinct (treatment, epoch, phase, regions, conditions) rankings kept
CRITERIA = 8192  # distinct (section, context) evaluations kept
PHASES = 4096  # distinct (facts that decide the phase, date) kept


class ResolverMemo:
    """Bounded LRU memos (thread-safe: functools.lru_cache) and small derived tables of one index."""

    def __init__(self, index: GuidelineIndex) -> None:
        from kg.resolve.criteria import Context, evaluate
        from kg.resolve.diagnosis import read_diagnoses
        from kg.resolve.engine import phase_of, rank_case, read_trace
        from kg.resolve.service import read_service

        proxy: Any = weakref.proxy(index)
        self.boundaries = boundaries = _boundaries(index)
        # derived tables, filled on first use; plain dicts (a race only computes a value twice)
        self.standing: dict[tuple[str, int], tuple[str, bool, int] | None] = {}
        self.devotion: dict[tuple[str, str], int] = {}
        self.lineage: dict[str, frozenset[str]] = {}
        self.regions: dict[tuple[tuple[str, ...], bool], tuple[frozenset[str], tuple[str, ...], str]] = {}
        self.refs: dict[str, Any] = {}

        @lru_cache(maxsize=READINGS)
        def reading(text: str, treatment_id: str | None, quantity: float | None) -> tuple[Any, str]:
            found = read_service(text, proxy, treatment_id, quantity)
            return found, read_trace(found, proxy)

        @lru_cache(maxsize=DIAGNOSES)
        def diagnoses(raw: tuple[str, ...], on: date) -> tuple[Any, frozenset[str]]:
            found = read_diagnoses(raw, proxy, on)
            ancestors = proxy.condition_ancestors
            conditions = frozenset(a for i in found.condition_ids for a, _ in ancestors.get(i, ((i, 0),)))
            return found, conditions

        @lru_cache(maxsize=CRITERIA)
        def criteria(section_id: str, facts: Any, quantity: float | None, conditions: frozenset[str], phase: str,
                     lineage: frozenset[str], on: date) -> tuple[Any, ...]:
            ctx = Context(facts, quantity, conditions, phase, lineage, on)
            return tuple(evaluate(proxy.sections[section_id], ctx, proxy))

        @lru_cache(maxsize=RANKINGS)
        def rankings(treatment: str, epoch: int, phase: str, regions: frozenset[str],
                     conditions: frozenset[str]) -> Any:
            first = boundaries[epoch - 1] if epoch > 0 else date.min  # any date of the epoch ranks the same
            return rank_case(treatment, first, phase, regions, conditions, proxy)

        self.phase = lru_cache(maxsize=PHASES)(phase_of)
        self.reading = reading
        self.diagnoses = diagnoses
        self.criteria = criteria
        self.rankings = rankings

    def epoch(self, on: date) -> int:
        return bisect_right(self.boundaries, on)

    def clear(self) -> None:
        """Forget everything (the benchmark's "first sight" figures start from here)."""
        for cached in (self.reading, self.diagnoses, self.criteria, self.rankings, self.phase):
            cached.cache_clear()
        for table in (self.standing, self.devotion, self.lineage, self.regions, self.refs):
            table.clear()


def memo_of(index: GuidelineIndex) -> ResolverMemo:
    memo = index.__dict__.get(ATTRIBUTE)
    if memo is None:
        memo = ResolverMemo(index)
        index.__dict__[ATTRIBUTE] = memo  # the frozen dataclass's fields are untouched
    return memo


def _boundaries(index: GuidelineIndex) -> tuple[date, ...]:
    """Every date the ranking compares a request date with."""
    found: set[date] = set()
    for adoption in index.adoptions.values():
        found.add(adoption.effective_from)
        if adoption.effective_until is not None:
            found.add(adoption.effective_until)
    for document in index.documents.values():
        if document.publication_date is not None:
            found.add(document.publication_date)
    return tuple(sorted(found))
