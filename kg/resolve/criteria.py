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
    criteria = [index.criteria[c] for c in section.criteria if c in index.criteria]
    keyed = [c for c in criteria if c.for_conditions]
    matching = [c for c in keyed if set(c.for_conditions) & ctx.conditions]
    results = []
    for criterion in criteria:
        if criterion.for_conditions and matching and criterion not in matching:
            continue  # a limit for another diagnosis than the case's
        results.append(_evaluate(criterion, ctx, index, keyed_unknown=bool(keyed and not matching)))
    results += [_evaluate(index.criteria[o], ctx, index) for o in overlays_for(ctx, index)]
    return results


def overlays_for(ctx: Context, index: GuidelineIndex) -> list[str]:
    """Statutory overlays (LC 4604.5 visit caps) that bind this treatment in this phase."""
    out = []
    for overlay_id in index.overlays:
        overlay = index.criteria[overlay_id]
        if not set(overlay.applies_to_treatments) & ctx.treatment_lineage:
            continue
        if ctx.phase in overlay.except_phases:
            continue
        injury = ctx.facts.date_of_injury
        if overlay.injury_on_or_after and injury and injury < overlay.injury_on_or_after:
            continue
        out.append(overlay_id)
    return out


def _evaluate(
    c: m.Criterion, ctx: Context, index: GuidelineIndex, keyed_unknown: bool = False
) -> CriterionResult:
    if c.members:
        status, needs = _group(c, ctx, index)
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
        status, needs = (NOT_MET if set(c.excludes) & ctx.treatment_lineage else MET), ()
    elif c.requires_fact:
        status, needs = _fact(c, ctx)
    else:
        status, needs = INSUFFICIENT, ("clinical_documentation",)
    return CriterionResult(c.id, c.text, status, tuple(dict.fromkeys(needs)))


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


def _group(c: m.Criterion, ctx: Context, index: GuidelineIndex) -> tuple[Status, tuple[str, ...]]:
    results = [_evaluate(index.criteria[i], ctx, index) for i in c.members if i in index.criteria]
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
