"""A resolver over one index that keeps its steps' answers: what the server and the CLI hold.

The pipeline (kg.resolve.engine) has no cache of its own; this one wraps its steps
(kg.resolve.steps) in bounded LRU caches (functools.lru_cache: safe under threads). The index stays
as it was built; a new index gets a new CachedResolver, and the old one goes with its index.

Dates enter a ranking only by comparison with the graph's own dates (MTUS adoptions begin and end,
documents are published, the search rule changes), so a ranking is kept per *epoch* of the request
date: how many of those dates are on or before it. Every date of one epoch ranks every section the
same way.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from datetime import date
from functools import lru_cache, partial

from kg import model as m
from kg.index import GuidelineIndex
from kg.per_index import per_index
from kg.resolve import steps
from kg.resolve.diagnosis import DiagnosisReading, is_icd10
from kg.resolve.engine import resolve
from kg.resolve.outcome import ServiceResolution
from kg.resolve.ranking import Ranking, cite_section
from kg.resolve.request import FIRST_MTUS_DATE, ResolveRequest
from kg.resolve.sequence import (
    Standings,
    edition_boundaries,
    ranking_scope,
    reached_by,
    standings_on,
)
from kg.resolve.steps import Steps

READINGS = 8192  # distinct service texts kept read
DIAGNOSES = 4096  # distinct (diagnoses, date) pairs kept read
RANKINGS = 8192  # distinct (treatment, epoch, phase, regions, conditions) rankings kept
# distinct (section, facts, quantity, conditions, phase, lineage, date) evaluations kept
CRITERIA = 8192
PHASES = 4096  # distinct (facts that decide the phase, date) kept
CITATIONS = 8192  # distinct (section, label, MTUS, step, edition current) citations kept


class CachedResolver:
    """`resolve(request)` over `index`, each step's answers kept (bounded)."""

    def __init__(self, index: GuidelineIndex) -> None:
        self.index = index
        plain = Steps.of(index)
        # every document stands the same on any date of an epoch: read once per index
        self.boundaries, self.standings, epoch_steps = _epochs(index)

        @lru_cache(maxsize=RANKINGS)
        def ranking_of_epoch(
            treatment: str,
            epoch: int,
            phase: str,
            regions: frozenset[str],
            conditions: frozenset[str],
        ) -> Ranking:
            first = (
                self.boundaries[epoch - 1] if epoch > 0 else date.min
            )  # any date of the epoch ranks the same
            return steps.ranking(
                treatment,
                first,
                phase,
                regions,
                conditions,
                index=index,
                standings=self.standings[epoch],
                reached=reached_by(treatment, index),
                cited=cited,
                rule=epoch_steps[epoch],
            )

        # a section's citation is the same in every case in which it stands the same way
        cited = lru_cache(maxsize=CITATIONS)(partial(cite_section, index=index))
        scopes = _scopes(index)

        def ranking(
            treatment: str,
            on: date,
            phase: str,
            regions: frozenset[str],
            conditions: frozenset[str],
        ) -> Ranking:
            # keyed on the case's conditions that can rank the treatment's candidates
            # (ranking_scope): distinct diagnoses that rank alike share one ranking
            applied, written_for, every_condition = scopes.get(treatment) or ranking_scope(
                treatment, index
            )
            return ranking_of_epoch(
                treatment,
                bisect_right(self.boundaries, on),
                phase,
                regions,
                conditions
                if every_condition
                else frozenset(
                    c
                    for c in conditions
                    if c in applied
                    or (
                        c in index.conditions
                        and not written_for.isdisjoint(index.conditions[c].body_regions)
                    )
                ),
            )

        dated = lru_cache(maxsize=DIAGNOSES)(plain.diagnoses)

        @lru_cache(maxsize=DIAGNOSES)
        def undated(raw: tuple[str, ...]) -> tuple[DiagnosisReading, frozenset[str]]:
            return plain.diagnoses(raw, FIRST_MTUS_DATE)  # no code in them: the date is not read

        @lru_cache(maxsize=DIAGNOSES)
        def has_code(raw: tuple[str, ...]) -> bool:
            return any(is_icd10(d) for d in raw)

        def diagnoses(raw: tuple[str, ...], on: date) -> tuple[DiagnosisReading, frozenset[str]]:
            # Only an ICD-10-CM code is read on the date (its validity); diagnoses in words or ICD-9
            # read the same on every date, so distinct dates share one reading.
            return dated(raw, on) if has_code(raw) else undated(raw)

        self.steps = replace(
            plain,
            reading=lru_cache(maxsize=READINGS)(plain.reading),
            diagnoses=diagnoses,
            phase=lru_cache(maxsize=PHASES)(plain.phase),
            ranking=ranking,
            criteria=lru_cache(maxsize=CRITERIA)(plain.criteria),
        )

    def resolve(self, request: ResolveRequest) -> tuple[ServiceResolution, ...]:
        return resolve(request, self.index, self.steps)


@per_index
def _epochs(
    index: GuidelineIndex,
) -> tuple[tuple[date, ...], tuple[Standings, ...], tuple[tuple[m.EvidenceStep, ...], ...]]:
    """The epochs' boundaries, and on one date of each epoch (its first) the documents' standings
    and the search rule in force: read once per index, what every ranking of the epoch reads."""
    boundaries = _boundaries(index)
    firsts = (date.min, *boundaries)
    return boundaries, standings_on(firsts, index), tuple(index.steps_on(d) for d in firsts)


@per_index
def _scopes(index: GuidelineIndex) -> dict[str, tuple[frozenset[str], frozenset[str], bool]]:
    """Every treatment's ranking scope, read once per index: what of a case can rank it."""
    return {t: ranking_scope(t, index) for t in index.reached}


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
    found |= edition_boundaries(index)  # an ODG edition stops being the current one
    for step in index.steps:  # the search rule in force changes the steps and the trace
        found.add(step.effective_from)
        if step.effective_until is not None:
            found.add(step.effective_until)
    return tuple(sorted(d for d in found if d > date.min))
