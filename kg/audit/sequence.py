"""The search sequence (8 CCR 9792.21.1): a decision on non-MTUS sources where the MTUS speaks."""

from __future__ import annotations

from typing import Any

from kg.audit.citations import match_citation_of
from kg.audit.finding import Finding
from kg.index import GuidelineIndex
from kg.letters.model import Citation, Item


def sequence_findings(number: int, item: Item, result: Any, index: GuidelineIndex) -> list[Finding]:
    reviewer = item.reviewer_citations
    if not reviewer or any(c.mtus for c in reviewer):
        return []
    if any(_is_mtus_source(c, index, result) for c in reviewer):
        # an MTUS source mislabelled non-MTUS: reported as mtus_label, not as a search error
        return []
    if result is None or result.governing is None or not result.governing.mtus:
        return []
    return [
        Finding(
            number,
            "search_sequence",
            "warning",
            "Decided on non-MTUS sources although the MTUS in force addresses the service: "
            f"{result.governing.text} (8 CCR 9792.21.1: the MTUS is searched first).",
            "; ".join(c.text for c in reviewer),
        )
    ]


def _is_mtus_source(citation: Citation, index: GuidelineIndex, result: Any) -> bool:
    documents = match_citation_of(citation, index).document_ids
    return bool(result and result.governing and result.governing.document_id in documents)
