"""A treatment's candidates in one case, ranked by the search sequence, with their citations.

Two rules decide here, after kg.resolve.sequence has ordered the candidates:

* "MTUS silent" is binding (8 CCR 9792.21.1(a)(2)): a section that only mentions the treatment,
  or reaches it only through a whole service category (all DME, all surgery), does not address it
  and never governs. It is listed after the sections that do, for comparison; when no section
  addresses the treatment, nothing governs and the search goes on to the next step.
* When the MTUS is silent, the choice between ACOEM and ODG (both "the most current", step 2)
  follows what IMR reviewers cite for that kind of service (gl:CitationCount, learned from the
  tuning letters, issue 14), not the more recent edition; the trace says which rule decided.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from kg import model as m
from kg.index import GuidelineIndex
from kg.resolve.citation import cite
from kg.resolve.outcome import Citation
from kg.resolve.sequence import (
    Candidate,
    Case,
    Reached,
    Standings,
    candidates,
    other_condition_families,
)

MAX_CANDIDATES = 12
# Families between which the reviewers' citation counts choose (8 CCR 9792.21.1(a)(2)(A)).
COUNTED_FAMILIES = ("ACOEM", "ODG")


class Ranking:
    """The ranked candidates of a treatment in one case, with their citations. A value: the same
    for every date on which the same documents stand the same way (what a cache may key on)."""

    __slots__ = (
        "candidates",
        "citations",
        "governing",
        "_mtus",
        "_others",
        "_why",
        "_steps",
        "_silent",
        "_decided",
        "_held",
        "_passed",
    )

    def __init__(
        self,
        ranked: list[Candidate],
        index: GuidelineIndex,
        on: date,
        silent: list[Candidate] | None = None,
        decided: str = "",
        passed: tuple[str, ...] = (),
        cited: Cite | None = None,
        rule: tuple[m.EvidenceStep, ...] | None = None,
    ) -> None:
        silent = silent or []
        self.candidates = tuple(ranked)  # the sections that address the treatment
        # The sections that only mention it or reach it through a whole category follow, for
        # comparison; with none that addresses it there is no citation at all (nothing governs).
        self.citations: tuple[Citation, ...] = ()
        self._held: list[str] = []
        if ranked:
            shown = _shortlist(ranked, index) + silent[: max(0, MAX_CANDIDATES - len(ranked))]
            cited = cited or partial(cite_section, index=index)
            self.citations = tuple(
                cited(c.section.id, c.label, c.mtus, c.step, c.current) for c in shown
            )
            # editions of continuously updated guidelines cited though not current on the date
            self._held = sorted(
                {
                    index.documents[c.section.document_id].edition_label or "undated"
                    for c in shown
                    if not c.current
                }
            )
        self.governing = ranked[0].section if ranked else None
        self._mtus = sum(1 for c in ranked if c.mtus)
        self._others = sum(1 for c in ranked[1:] if not c.mtus)
        self._why = ranked[0].why if ranked else ""
        # the rule in force on the date (any date of a cache epoch has the same rule: the rules'
        # dates are epoch boundaries)
        self._steps = index.steps_on(on) if rule is None else rule
        self._silent = tuple(c for c in silent if c.mtus)
        self._decided = decided
        self._passed = passed  # MTUS guidelines of another condition family, passed over

    @property
    def rule(self) -> str:
        """The statute or regulation that sets out the search sequence on the date."""
        return self._steps[0].rule if self._steps else ""

    @property
    def last_step(self) -> str:
        """The legal basis of the sequence's last step (studies), for a treatment no guideline
        addresses."""
        return self._steps[-1].legal_basis if self._steps else ""

    def trace(self, on: date) -> tuple[str, ...]:
        """The search-sequence lines of the trace: the rule in force on the request date, then
        what its first step found."""
        first = self._steps[0] if self._steps else None
        lines = [f"Search sequence in force on {on}: {self.rule or 'not in the graph'}."]
        if first is not None and not first.is_mtus:
            lines.append(
                f"Step 1, {first.label} ({first.legal_basis}): no MTUS in force on {on}; "
                + ("the first section governs." if self.candidates else "nothing addresses it.")
            )
        elif self._mtus:
            lines.append(
                f"Step 1, MTUS in force on {on}: {self._mtus} section(s) address the service; "
                f"the first governs ({first.legal_basis if first else 'LC 4604.5'}: presumed "
                "correct)."
            )
        else:
            after = self._steps[1].legal_basis if len(self._steps) > 1 else "the next step"
            lines.append(
                f"Step 1, MTUS in force on {on}: silent on the service (at most a mention or a "
                f"whole service category); go to the next step ({after})."
            )
            if self._silent:
                silent_first = self._silent[0]
                lines.append(
                    f"MTUS silent: {len(self._silent)} MTUS section(s) reach the service only "
                    f"through a whole service category or a mention (e.g. {silent_first.label}: "
                    f"{silent_first.section.label}); they do not govern."
                )
        if self._passed:
            lines.append(
                f"Not for these diagnoses: {'; '.join(self._passed)} (written for another "
                "family of conditions than the case's; it does not address the case)."
            )
        if self._decided:
            lines.append(self._decided)
        if self.candidates:
            lines.append("Governing: " + self._why + ".")
            if self._held:
                lines.append(
                    f"ODG on {on}: the edition current then is not in the graph; its topics are "
                    f"cited undated as held in the {', '.join(self._held)} edition, not checked "
                    "against the text current on the date."
                )
            if self._others and self._mtus:
                lines.append(
                    f"{self._others} non-MTUS section(s) (ACOEM/ODG) are listed for comparison "
                    f"only."
                )
        return tuple(lines)


def rank_case(
    treatment_id: str,
    on: date,
    phase: str,
    regions: frozenset[str],
    conditions: frozenset[str],
    index: GuidelineIndex,
    standings: Standings | None = None,
    reached: tuple[Reached, ...] | None = None,
    cited: Cite | None = None,
    rule: tuple[m.EvidenceStep, ...] | None = None,
) -> Ranking:
    """`standings`: documents' standings on this date already read, kept by the caller for every
    date on which they stand the same (kg.resolve.cached keeps them per epoch); `reached`: the
    treatment's sections (kg.reach), when the caller has them; `cited`: `cite_section`, or one
    that keeps its answers; `rule`: the search sequence in force on the date, when the caller has
    it."""
    case = Case(on, phase, regions, conditions)
    ranked = candidates(treatment_id, case, index, standings, reached)
    # the weak rank first in a rank, so they follow every section that addresses the treatment
    split = next((i for i, c in enumerate(ranked) if c.rank[0]), len(ranked))
    addressing, silent = ranked[:split], ranked[split:]
    decided = ""
    if not any(c.mtus for c in addressing):
        addressing, decided = by_reviewer_citations(addressing, treatment_id, index)
    passed = (
        tuple(other_condition_families(treatment_id, case, index, reached, standings))
        if conditions
        else ()
    )
    return Ranking(addressing, index, on, silent, decided, passed, cited, rule)


# (section id, citation label, is MTUS, evidence step, edition current on the date) -> citation
Cite = Callable[[str, str, bool, int, bool], Citation]


def cite_section(
    section_id: str, label: str, mtus: bool, step: int, current: bool, *, index: GuidelineIndex
) -> Citation:
    """A section's citation: the same for every case in which it stands the same way."""
    return cite(index.sections[section_id], index, label, mtus, step, current)


def by_reviewer_citations(
    ranked: list[Candidate], treatment_id: str, index: GuidelineIndex
) -> tuple[list[Candidate], str]:
    """With the MTUS silent, ACOEM before ODG or ODG before ACOEM as reviewers cite them for the
    nearest kind of service that has counts; (the order, the trace line that says what decided)."""
    if not ranked:
        return ranked, ""
    step = ranked[0].step
    families = {_family(c, index) for c in ranked if c.step == step}
    if not set(COUNTED_FAMILIES) <= families:
        return ranked, ""  # one family only: nothing to choose
    counts, what = _nearest_counts(treatment_id, index)
    if not counts:
        return ranked, (
            "Step 2, ACOEM or ODG: no reviewer citation counts for the service; the section that "
            "fits the case best, then the most recent edition, first."
        )
    acoem, odg = (counts.get(f, 0) for f in COUNTED_FAMILIES)
    if acoem == odg:
        return ranked, (
            f"Step 2, ACOEM or ODG: reviewers cite both equally for {what} (ACOEM {acoem}, "
            f"ODG {odg} items); the most recent edition first."
        )
    preferred = "ACOEM" if acoem > odg else "ODG"
    reordered = sorted(
        ranked,
        key=lambda c: (c.rank[0], c.rank[1], c.step != step or _family(c, index) != preferred),
    )
    return reordered, (
        f"Step 2, ACOEM or ODG: reviewers cite {preferred} for {what} (ACOEM {acoem}, ODG {odg} "
        f"items of the tuning letters; citation counts), so {preferred} first, not the more "
        "recent edition."
    )


def _nearest_counts(treatment_id: str, index: GuidelineIndex) -> tuple[dict[str, int], str]:
    """The citation counts of the treatment, else of its nearest broader class, else of all
    services; with the name of what was counted."""
    for node in (*index.treatment_lineage(treatment_id), ""):
        rows: tuple[m.CitationCount, ...] = index.counts_by_treatment.get(node, ())
        if rows:
            label = index.treatments[node].label if node in index.treatments else "all services"
            return {r.family: r.items for r in rows}, label
    return {}, ""


def _family(candidate: Candidate, index: GuidelineIndex) -> str:
    return index.documents[candidate.section.document_id].family


def _shortlist(ranked: list[Candidate], index: GuidelineIndex) -> list[Candidate]:
    """The first MAX_CANDIDATES, plus the best section of each publisher not among them, so the
    side-by-side view always has the ACOEM and ODG guidance that exists."""
    kept = ranked[:MAX_CANDIDATES]
    if len(ranked) <= MAX_CANDIDATES:
        return kept  # all of them
    seen = {index.publisher_of(c.section.document_id) for c in kept}
    for candidate in ranked[MAX_CANDIDATES:]:
        publisher = index.publisher_of(candidate.section.document_id)
        if publisher not in seen:
            seen.add(publisher)
            kept.append(candidate)
    return kept
