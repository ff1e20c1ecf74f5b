"""MTUS, ACOEM and ODG guidance for one treatment on a date, side by side, on the resolver."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kg import vocab
from kg.errors import InputError
from kg.index import GuidelineIndex
from kg.resolve import (
    Citation,
    CriterionResult,
    ResolveRequest,
    ServiceInput,
    ServiceResolution,
    Steps,
    resolve,
)

COMPARED = ("MTUS", "ACOEM", "ODG")


@dataclass(frozen=True, slots=True)
class Guidance:
    """One guideline's best section for a service, with its criteria evaluated."""

    source: str  # MTUS, ACOEM, ODG
    citation: Citation | None
    criteria: tuple[CriterionResult, ...]
    governs: bool


@dataclass(frozen=True, slots=True)
class Comparison:
    treatment_id: str | None
    condition: str | None
    as_of: date
    guidance: tuple[Guidance, ...]
    governing: Citation | None
    outcome: str | None
    trace: tuple[str, ...]
    problems: tuple[str, ...] = field(default=())


def compare(
    index: GuidelineIndex,
    treatment_id: str,
    condition: str | None,
    as_of: date,
    *,
    today: date,
    steps: Steps | None = None,
) -> Comparison:
    """MTUS, ACOEM and ODG guidance for one treatment on a date, side by side, on the resolver.

    MTUS is the best section in force as MTUS on the date; ACOEM and ODG are the best sections
    those publishers wrote, other than the MTUS one (an ACOEM chapter adopted into the MTUS keeps
    its "MTUS ACOEM" label). A guideline silent on the service has no citation. `steps`: the
    resolver's steps as the caller keeps them (kg.resolve.CachedResolver), or as they are.
    """
    steps = steps or Steps.of(index)
    treatment = index.treatments.get(treatment_id)
    label = treatment.label if treatment else treatment_id
    diagnoses = [condition] if condition else []
    try:
        request = ResolveRequest.parse(
            on=as_of, services=[ServiceInput(label, treatment_id)], diagnoses=diagnoses, today=today
        )
    except InputError as exc:
        empty = tuple(Guidance(s, None, (), False) for s in COMPARED)
        return Comparison(None, condition, as_of, empty, None, None, (), (str(exc),))
    result = resolve(request, index, steps)[0]
    guidance: list[Guidance] = []
    for source in COMPARED:
        taken = {g.citation.section_id for g in guidance if g.citation}
        guidance.append(_guidance(source, taken, result, request, index, steps))
    return Comparison(
        result.treatment.id if result.treatment else None,
        condition,
        as_of,
        tuple(guidance),
        result.governing,
        result.outcome.value,
        result.trace,
        result.problems,
    )


def _guidance(
    source: str,
    taken: set[str],
    result: ServiceResolution,
    request: ResolveRequest,
    index: GuidelineIndex,
    steps: Steps,
) -> Guidance:
    best = next(
        (
            c
            for c in result.candidates
            if c.section_id not in taken and _source_is(c, source, index)
        ),
        None,
    )
    if best is None:
        return Guidance(source, None, (), False)
    governs = result.governing is not None and best.section_id == result.governing.section_id
    criteria = result.criteria if governs else _criteria(best, result, request, index, steps)
    return Guidance(source, best, criteria, governs)


def _source_is(citation: Citation, source: str, index: GuidelineIndex) -> bool:
    if source == "MTUS":
        return citation.mtus
    return index.publisher_of(citation.document_id) == source


def _criteria(
    citation: Citation,
    result: ServiceResolution,
    request: ResolveRequest,
    index: GuidelineIndex,
    steps: Steps,
) -> tuple[CriterionResult, ...]:
    """A compared (not governing) section's criteria, judged on the same facts as the resolver's."""
    _, conditions = steps.diagnoses(request.diagnoses, request.date)
    treatment = result.treatment.id if result.treatment else ""
    lineage = frozenset(index.treatment_lineage(treatment))
    return steps.criteria(
        citation.section_id,
        request.facts,
        result.quantity,
        conditions,
        result.phase or vocab.Phase.CHRONIC,
        lineage,
        request.date,
    )
