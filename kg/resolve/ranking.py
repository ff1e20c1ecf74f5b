"""A treatment's candidates in one case, ranked by the search sequence, with their citations."""

from __future__ import annotations

from datetime import date

from kg.index import GuidelineIndex
from kg.resolve.citation import cite
from kg.resolve.outcome import Citation
from kg.resolve.sequence import Candidate, Case, Reached, Standings, candidates

MAX_CANDIDATES = 12


class Ranking:
    """The ranked candidates of a treatment in one case, with their citations. A value: the same
    for every date on which the same documents stand the same way (what a cache may key on)."""

    __slots__ = ("candidates", "citations", "governing", "_mtus", "_others", "_why")

    def __init__(
        self,
        ranked: list[Candidate],
        index: GuidelineIndex,
        cited: dict[str, Citation] | None = None,
    ) -> None:
        """`cited`: sections' citations already written for this date (a citation depends on its
        section and the standing of its document, the same for every date of an epoch)."""
        self.candidates = tuple(ranked)
        cited = {} if cited is None else cited
        citations = []
        for c in _shortlist(ranked, index):
            citation = cited.get(c.section.id)
            if citation is None:
                citation = cited[c.section.id] = cite(c.section, index, c.label, c.mtus, c.step)
            citations.append(citation)
        self.citations: tuple[Citation, ...] = tuple(citations)
        self.governing = ranked[0].section if ranked else None
        self._mtus = sum(1 for c in ranked if c.mtus and not c.weak)
        self._others = sum(1 for c in ranked[1:] if not c.mtus)
        self._why = ranked[0].why if ranked else ""

    def trace(self, on: date) -> tuple[str, ...]:
        """The search-sequence lines of the trace (they name the request date)."""
        if self._mtus:
            lines = [
                f"Step 1, MTUS in force on {on}: {self._mtus} section(s) address the service; "
                f"the first governs (LC 4604.5: presumed correct)."
            ]
        else:
            lines = [
                f"Step 1, MTUS in force on {on}: silent on the service (at most a mention or a "
                f"whole "
                "service category); go to the next step (8 CCR 9792.21.1(a)(2))."
            ]
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
    standings: Standings | None = None,
    reached: tuple[Reached, ...] | None = None,
    cited: dict[str, Citation] | None = None,
) -> Ranking:
    """`standings` and `cited`: documents' standings and sections' citations on this date already
    written, kept by the caller for every date on which documents stand the same
    (kg.resolve.cached keeps them per epoch); `reached`: the treatment's sections (sequence.reach),
    kept by the caller."""
    case = Case(on, phase, regions, conditions)
    ranked = candidates(treatment_id, case, index, standings, reached)
    return Ranking(ranked, index, cited)


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
