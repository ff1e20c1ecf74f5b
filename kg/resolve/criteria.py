"""Evaluate a section's criteria, and the statutory overlays, against the facts of the case.

MET / NOT_MET when the facts decide it; INSUFFICIENT_INFORMATION with the fact keys still
needed otherwise. Limits keyed to a diagnosis apply only to a case with that diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from kg import model as m
from kg import vocab
from kg.index import GuidelineIndex
from kg.per_index import per_index
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


class Context(NamedTuple):
    """The case as the criteria read it. A named tuple: made for every evaluation, in a third of
    the time of a frozen dataclass."""

    facts: Facts
    quantity: float | None
    conditions: frozenset[str]
    phase: str
    treatment_lineage: frozenset[str]
    on: date


Judged = tuple[Status, tuple[str, ...]]  # a status and the facts still needed
Judge = Callable[[m.Criterion, Context, "_Book"], Judged]
# a section's criteria, those keyed to a diagnosis, and the diagnoses they name
SectionRules = tuple[tuple["_Rule", ...], tuple[m.Criterion, ...], frozenset[str]]


def evaluate(section: m.Section, ctx: Context, index: GuidelineIndex) -> list[CriterionResult]:
    book = _book(index)
    rules, keyed, keyed_for = book.section(section)
    matching = (
        {c.id for c in keyed if not ctx.conditions.isdisjoint(c.for_conditions)}
        if keyed and not ctx.conditions.isdisjoint(keyed_for)
        else ()
    )
    keyed_unknown = bool(keyed and not matching)
    results = []
    for rule in rules:
        c = rule.criterion
        if c.for_conditions and matching and c.id not in matching:
            continue  # a limit for another diagnosis than the case's
        status, needs = rule.judge(c, ctx, book)
        if keyed_unknown and c.for_conditions and rule.judge is _quantity:
            status, needs = INSUFFICIENT, ("diagnosis", *needs)
        results.append(rule.result(status, needs))
    for rule in _overlays(ctx, book):
        results.append(rule.result(*rule.judge(rule.criterion, ctx, book)))
    return results


def overlays_for(ctx: Context, index: GuidelineIndex) -> list[str]:
    """Statutory overlays (LC 4604.5 visit caps) that bind this treatment in this phase."""
    return [rule.criterion.id for rule in _overlays(ctx, _book(index))]


def _overlays(ctx: Context, book: _Book) -> list[_Rule]:
    if ctx.treatment_lineage.isdisjoint(book.overlaid):
        return []  # most treatments are under no statutory cap
    injury = ctx.facts.date_of_injury
    return [
        rule
        for rule, applies_to in book.overlays
        if not applies_to.isdisjoint(ctx.treatment_lineage)
        and ctx.phase not in rule.criterion.except_phases
        and not (
            rule.criterion.injury_on_or_after
            and injury
            and injury < rule.criterion.injury_on_or_after
        )
    ]


class _Book:
    """What evaluating reads from the index alone, read once: each section's criteria with how
    each is judged, the overlays, and each criterion's results (a criterion has a few: met, not
    met, the facts it needs), made once and shared by every case that comes to the same one."""

    def __init__(self, index: GuidelineIndex) -> None:
        self.criteria = index.criteria  # the index's table, not the index (kept per index)
        self.overlays = tuple(
            (_Rule(c), frozenset(c.applies_to_treatments))
            for c in (index.criteria[o] for o in index.overlays)
        )
        self.overlaid = frozenset(t for _, applies_to in self.overlays for t in applies_to)
        self.sections: dict[str, SectionRules] = {}
        self.groups: dict[str, tuple[_Rule, ...]] = {}

    def section(self, section: m.Section) -> SectionRules:
        found = self.sections.get(section.id)
        if found is None:
            rules = self.rules(section.criteria)
            keyed = tuple(r.criterion for r in rules if r.criterion.for_conditions)
            found = rules, keyed, frozenset(k for c in keyed for k in c.for_conditions)
            self.sections[section.id] = found
        return found

    def members(self, group: m.Criterion) -> tuple[_Rule, ...]:
        found = self.groups.get(group.id)
        if found is None:
            found = self.groups[group.id] = self.rules(group.members)
        return found

    def rules(self, ids: tuple[str, ...]) -> tuple[_Rule, ...]:
        return tuple(_Rule(self.criteria[i]) for i in ids if i in self.criteria)


class _Rule:
    """A criterion, how it is decided, and its results, each made once: met, not met, and one for
    each list of facts it comes to need."""

    __slots__ = ("criterion", "judge", "met", "not_met", "insufficient")

    def __init__(self, criterion: m.Criterion) -> None:
        self.criterion = criterion
        self.judge = _judge_of(criterion)
        self.met = CriterionResult(criterion.id, criterion.text, MET)
        self.not_met = CriterionResult(criterion.id, criterion.text, NOT_MET)
        self.insufficient: dict[tuple[str, ...], CriterionResult] = {}

    def result(self, status: Status, needs: tuple[str, ...]) -> CriterionResult:
        if status is not INSUFFICIENT and not needs:  # the judges' met and not met need nothing
            return self.met if status is MET else self.not_met
        found = self.insufficient.get(needs) if status is INSUFFICIENT else None
        if found is None:
            c = self.criterion
            found = CriterionResult(c.id, c.text, status, tuple(dict.fromkeys(needs)))
            if status is INSUFFICIENT:
                self.insufficient[needs] = found
        return found


_book = per_index(_Book)


def _judge_of(c: m.Criterion) -> Judge:
    """How the criterion is decided, from what it states."""
    if c.members:
        return _group
    if (
        c.kind in (vocab.CriterionKind.QUANTITY_LIMIT, vocab.CriterionKind.STATUTORY_CAP)
        and c.max_units is not None
        and _counted(c)
    ):
        return _quantity
    if c.kind == vocab.CriterionKind.DURATION_LIMIT and c.max_weeks is not None:
        return _duration
    if c.excludes:
        return _excluded
    if c.requires_fact:
        return _fact
    return _documentation


def _counted(c: m.Criterion) -> bool:
    return (c.unit or "visits").lower() in COUNTED_UNITS


def _quantity(c: m.Criterion, ctx: Context, _: _Book) -> Judged:
    limit = c.max_units or 0
    if ctx.quantity is None:
        return INSUFFICIENT, ("quantity",)
    if ctx.quantity > limit:
        return NOT_MET, ()
    received = ctx.facts.visits_received
    if received is None:
        return INSUFFICIENT, ("visits_received",)
    return (MET, ()) if received + ctx.quantity <= limit else (NOT_MET, ())


def _duration(c: m.Criterion, ctx: Context, _: _Book) -> Judged:
    weeks = ctx.facts.weeks_received
    if weeks is None:
        return INSUFFICIENT, ("weeks_received",)
    return (MET, ()) if weeks < (c.max_weeks or 0) else (NOT_MET, ())


def _excluded(c: m.Criterion, ctx: Context, _: _Book) -> Judged:
    """ "Topical muscle relaxants are not recommended": decided by what is requested."""
    return (MET if ctx.treatment_lineage.isdisjoint(c.excludes) else NOT_MET), ()


def _fact(c: m.Criterion, ctx: Context, _: _Book) -> Judged:
    key = c.requires_fact or ""
    value = ctx.phase if key == "phase" else ctx.facts.get(key)
    if value is None:
        return INSUFFICIENT, (key,)
    if isinstance(value, bool):
        return (MET, ()) if value == c.expected_value else (NOT_MET, ())
    if isinstance(value, int) and (c.min_units is not None or c.max_units is not None):
        low_ok = c.min_units is None or value >= c.min_units
        high_ok = c.max_units is None or value <= c.max_units
        return (MET, ()) if low_ok and high_ok else (NOT_MET, ())
    return MET, ()  # a stated surgery, date or phase: present is what the criterion asks


def _documentation(c: m.Criterion, ctx: Context, _: _Book) -> Judged:
    return INSUFFICIENT, ("clinical_documentation",)


def _group(c: m.Criterion, ctx: Context, book: _Book) -> Judged:
    judged = [rule.judge(rule.criterion, ctx, book) for rule in book.members(c)]
    met = sum(status is MET for status, _ in judged)
    unknown = sum(status is INSUFFICIENT for status, _ in judged)
    needs = tuple(n for status, needs in judged if status is INSUFFICIENT for n in needs)
    required = {vocab.LogicOperator.ALL_OF: len(judged), vocab.LogicOperator.ANY_OF: 1}.get(
        c.logic or vocab.LogicOperator.ALL_OF, c.at_least or len(judged)
    )
    if met >= required:
        return MET, ()
    if met + unknown < required:
        return NOT_MET, ()
    return INSUFFICIENT, needs
