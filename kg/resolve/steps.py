"""The resolver's steps over one index, each a pure function of its arguments and the index.

`Steps.of(index)` gives them as they are; whoever holds the index may give the pipeline wrapped
ones instead (kg.resolve.cached.CachedResolver keeps their answers). The pipeline
(kg.resolve.engine) only calls them, so it never knows whether an answer was kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

from kg.index import GuidelineIndex
from kg.resolve.criteria import Context, evaluate
from kg.resolve.diagnosis import DiagnosisReading, read_diagnoses
from kg.resolve.outcome import CriterionResult
from kg.resolve.phase import phase_of
from kg.resolve.ranking import Cite, Ranking, rank_case
from kg.resolve.request import Facts
from kg.resolve.sequence import Reached, Standings
from kg.resolve.service import ServiceReading, read_service, reading_line


@dataclass(frozen=True)
class Steps:
    """read the service -> read the diagnoses -> the phase -> the ranking -> the criteria."""

    reading: Callable[[str, str | None, float | None], tuple[ServiceReading, str]]
    diagnoses: Callable[[tuple[str, ...], date], tuple[DiagnosisReading, frozenset[str]]]
    phase: Callable[[str | None, date | None, date | None, date, bool, bool, bool], tuple[str, str]]
    ranking: Callable[[str, date, str, frozenset[str], frozenset[str]], Ranking]
    criteria: Callable[
        [str, Facts, float | None, frozenset[str], str, frozenset[str], date],
        tuple[CriterionResult, ...],
    ]

    @classmethod
    def of(cls, index: GuidelineIndex) -> Steps:
        return cls(
            reading=partial(service_reading, index=index),
            diagnoses=partial(case_diagnoses, index=index),
            phase=phase_of,
            ranking=partial(ranking, index=index),
            criteria=partial(criteria, index=index),
        )


def service_reading(
    text: str, treatment_id: str | None, quantity: float | None, *, index: GuidelineIndex
) -> tuple[ServiceReading, str]:
    found = read_service(text, index, treatment_id, quantity)
    return found, reading_line(found, index)


def case_diagnoses(
    raw: tuple[str, ...], on: date, *, index: GuidelineIndex
) -> tuple[DiagnosisReading, frozenset[str]]:
    """The diagnoses read, and the conditions they name with all their ancestors (what ranking and
    the criteria keyed to a diagnosis compare with)."""
    found = read_diagnoses(raw, index, on)
    return found, frozenset(a for i in found.condition_ids for a in index.condition_lineage(i))


def ranking(
    treatment_id: str,
    on: date,
    phase: str,
    regions: frozenset[str],
    conditions: frozenset[str],
    *,
    index: GuidelineIndex,
    standings: Standings | None = None,
    reached: tuple[Reached, ...] | None = None,
    cited: Cite | None = None,
) -> Ranking:
    return rank_case(treatment_id, on, phase, regions, conditions, index, standings, reached, cited)


def criteria(
    section_id: str,
    facts: Facts,
    quantity: float | None,
    conditions: frozenset[str],
    phase: str,
    lineage: frozenset[str],
    on: date,
    *,
    index: GuidelineIndex,
) -> tuple[CriterionResult, ...]:
    context = Context(facts, quantity, conditions, phase, lineage, on)
    return tuple(evaluate(index.sections[section_id], context, index))
