"""Evaluate a section's criteria, and the statutory overlays, against the facts of the case.

MET / NOT_MET when the facts decide it; INSUFFICIENT_INFORMATION with the fact keys still
needed otherwise. Limits keyed to a diagnosis apply only to a case with that diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kg import model as m
from kg import vocab
from kg.index import GuidelineIndex
from kg.resolve.outcome import CriterionResult, Status
from kg.resolve.per_index import per_index
from kg.resolve.request import Facts

# Units a requested count can be compared with: a "#60" of tablets is not a number of visits.
COUNTED_UNITS = (
    "visits",
    "visit",
    "sessions",
    "session",
    "treatments",
    "treatment",
    "injections",
    "injection",
    "blocks",
    "procedures",
)
# a section's criteria, those keyed to a diagnosis, and the diagnoses they name
SectionCriteria = tuple[tuple[m.Criterion, ...], tuple[m.Criterion, ...], frozenset[str]]
MET, NOT_MET, INSUFFICIENT = Status.MET, Status.NOT_MET, Status.INSUFFICIENT_INFORMATION


@dataclass(frozen=True, slots=True)
class Context:
    facts: Facts
    quantity: float | None
    conditions: frozenset[str]
    phase: str
    treatment_lineage: frozenset[str]
    on: date


def evaluate(section: m.Section, ctx: Context, index: GuidelineIndex) -> list[CriterionResult]:
    book = _book(index)
    criteria, keyed, keyed_for = book.section(section)
    matching = (
        {c.id for c in keyed if not ctx.conditions.isdisjoint(c.for_conditions)}
        if keyed and not ctx.conditions.isdisjoint(keyed_for)
        else ()
    )
    keyed_unknown = bool(keyed and not matching)
    results = [
        _evaluate(criterion, ctx, book, keyed_unknown)
        for criterion in criteria
        # a limit for another diagnosis than the case's is left out
        if not (criterion.for_conditions and matching and criterion.id not in matching)
    ]
    results += [_evaluate(overlay, ctx, book) for overlay in _overlays(ctx, book)]
    return results


def overlays_for(ctx: Context, index: GuidelineIndex) -> list[str]:
    """Statutory overlays (LC 4604.5 visit caps) that bind this treatment in this phase."""
    return [overlay.id for overlay in _overlays(ctx, _book(index))]


def _overlays(ctx: Context, book: _Book) -> list[m.Criterion]:
    injury = ctx.facts.date_of_injury
    return [
        overlay
        for overlay, applies_to in book.overlays
        if not applies_to.isdisjoint(ctx.treatment_lineage)
        and ctx.phase not in overlay.except_phases
        and not (overlay.injury_on_or_after and injury and injury < overlay.injury_on_or_after)
    ]


class _Book:
    """What evaluating reads from the index alone, read once: each section's criteria, the
    overlays, and each criterion's results (a criterion has a few: met, not met, the facts it
    needs), made once and shared by every case that comes to the same one."""

    def __init__(self, index: GuidelineIndex) -> None:
        self.criteria = index.criteria
        self.overlays = tuple(
            (index.criteria[o], frozenset(index.criteria[o].applies_to_treatments))
            for o in index.overlays
        )
        self.sections: dict[str, SectionCriteria] = {}
        self.results: dict[tuple[str, Status, tuple[str, ...]], CriterionResult] = {}

    def section(self, section: m.Section) -> SectionCriteria:
        """The section's criteria, those keyed to a diagnosis, and the diagnoses they name."""
        found = self.sections.get(section.id)
        if found is None:
            criteria = tuple(self.criteria[c] for c in section.criteria if c in self.criteria)
            keyed = tuple(c for c in criteria if c.for_conditions)
            found = criteria, keyed, frozenset(k for c in keyed for k in c.for_conditions)
            self.sections[section.id] = found
        return found

    def result(self, c: m.Criterion, status: Status, needs: tuple[str, ...]) -> CriterionResult:
        key = (c.id, status, needs)
        found = self.results.get(key)
        if found is None:
            found = CriterionResult(c.id, c.text, status, tuple(dict.fromkeys(needs)))
            self.results[key] = found
        return found


_book = per_index(_Book)


def _evaluate(
    c: m.Criterion, ctx: Context, book: _Book, keyed_unknown: bool = False
) -> CriterionResult:
    if c.members:
        status, needs = _group(c, ctx, book)
    elif (
        c.kind in (vocab.CriterionKind.QUANTITY_LIMIT, vocab.CriterionKind.STATUTORY_CAP)
        and c.max_units is not None
        and _counted(c)
    ):
        status, needs = _quantity(c, ctx)
        if keyed_unknown and c.for_conditions:
            status, needs = INSUFFICIENT, ("diagnosis",) + needs
    elif c.kind == vocab.CriterionKind.DURATION_LIMIT and c.max_weeks is not None:
        status, needs = _duration(c, ctx)
    elif c.excludes:  # "topical muscle relaxants are not recommended": decided by what is requested
        status, needs = (NOT_MET if not ctx.treatment_lineage.isdisjoint(c.excludes) else MET), ()
    elif c.requires_fact:
        status, needs = _fact(c, ctx)
    else:
        status, needs = INSUFFICIENT, ("clinical_documentation",)
    return book.result(c, status, needs)


def _counted(c: m.Criterion) -> bool:
    return (c.unit or "visits").lower() in COUNTED_UNITS


def _quantity(c: m.Criterion, ctx: Context) -> tuple[Status, tuple[str, ...]]:
    limit = c.max_units or 0
    if ctx.quantity is None:
        return INSUFFICIENT, ("quantity",)
    if ctx.quantity > limit:
        return NOT_MET, ()
    received = ctx.facts.visits_received
    if received is None:
        return INSUFFICIENT, ("visits_received",)
    return (MET, ()) if received + ctx.quantity <= limit else (NOT_MET, ())


def _duration(c: m.Criterion, ctx: Context) -> tuple[Status, tuple[str, ...]]:
    weeks = ctx.facts.weeks_received
    if weeks is None:
        return INSUFFICIENT, ("weeks_received",)
    return (MET, ()) if weeks < (c.max_weeks or 0) else (NOT_MET, ())


def _fact(c: m.Criterion, ctx: Context) -> tuple[Status, tuple[str, ...]]:
    key = c.requires_fact or ""
    value = ctx.facts.get(key)
    if key == "phase" or key == "date_of_injury":
        value = ctx.phase if key == "phase" else value
    if value is None:
        return INSUFFICIENT, (key,)
    if isinstance(value, bool):
        return (MET, ()) if value == c.expected_value else (NOT_MET, ())
    if isinstance(value, int) and (c.min_units is not None or c.max_units is not None):
        low_ok = c.min_units is None or value >= c.min_units
        high_ok = c.max_units is None or value <= c.max_units
        return (MET, ()) if low_ok and high_ok else (NOT_MET, ())
    return MET, ()  # a stated surgery, date or phase: present is what the criterion asks


def _group(c: m.Criterion, ctx: Context, book: _Book) -> tuple[Status, tuple[str, ...]]:
    criteria = book.criteria
    results = [_evaluate(criteria[i], ctx, book) for i in c.members if i in criteria]
    met = sum(r.status is MET for r in results)
    unknown = sum(r.status is INSUFFICIENT for r in results)
    needs = tuple(n for r in results if r.status is INSUFFICIENT for n in r.needs)
    required = {vocab.LogicOperator.ALL_OF: len(results), vocab.LogicOperator.ANY_OF: 1}.get(
        c.logic or vocab.LogicOperator.ALL_OF, c.at_least or len(results)
    )
    if met >= required:
        return MET, ()
    if met + unknown < required:
        return NOT_MET, ()
    return INSUFFICIENT, needs
