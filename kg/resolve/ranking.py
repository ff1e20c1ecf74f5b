"""A treatment's candidates in one case, ranked by the search sequence, with their citations."""

from __future__ import annotations

from datetime import date

from kg.index import GuidelineIndex
from kg.resolve.citation import cite
from kg.resolve.outcome import Citation
from kg.resolve.sequence import Candidate, Case, candidates

MAX_CANDIDATES = 12


class Ranking:
    """The ranked candidates of a treatment in one case, with their citations. A value: the same
    for every date on which the same documents stand the same way (what a cache may key on)."""

    __slots__ = ("candidates", "citations", "governing", "_mtus", "_others", "_why", "_steps")

    def __init__(self, ranked: list[Candidate], index: GuidelineIndex, on: date) -> None:
        self.candidates = tuple(ranked)
        self.citations: tuple[Citation, ...] = tuple(
            cite(c.section, index, c.label, c.mtus, c.step) for c in _shortlist(ranked, index)
        )
        self.governing = ranked[0].section if ranked else None
        self._mtus = sum(1 for c in ranked if c.mtus and not c.weak)
        self._others = sum(1 for c in ranked[1:] if not c.mtus)
        self._why = ranked[0].why if ranked else ""
        # the rule in force on the date (any date of a cache epoch has the same rule: the rules'
        # dates are epoch boundaries)
        self._steps = index.steps_on(on)

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
        if self.candidates:
            lines.append("Governing: " + self._why + ".")
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
) -> Ranking:
    return Ranking(candidates(treatment_id, Case(on, phase, regions, conditions), index), index, on)


def _shortlist(ranked: list[Candidate], index: GuidelineIndex) -> list[Candidate]:
    """The first MAX_CANDIDATES, plus the best section of each publisher not among them, so the
    side-by-side view always has the ACOEM and ODG guidance that exists."""
    kept = ranked[:MAX_CANDIDATES]
    seen = {index.publisher_of(c.section.document_id) for c in kept}
    for candidate in ranked[MAX_CANDIDATES:]:
        publisher = index.publisher_of(candidate.section.document_id)
        if publisher not in seen:
            seen.add(publisher)
            kept.append(candidate)
    return kept
