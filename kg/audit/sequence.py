"""The search sequence (8 CCR 9792.21.1): a decision on non-MTUS sources where the MTUS speaks.

The accusation is only as good as the resolver's MTUS answer, so it is made only when that answer
addresses the service specifically: the service was read by one of its names (not a fuzzy guess),
the governing MTUS section addresses the treatment or its own class (not a whole service category
such as "medications", not a passing mention), and the section is written for the case's phase (a
Chronic Pain guideline section does not address an acute injury: 8 CCR 9792.24.2).
Where the MTUS speaks only so, a reviewer who goes on to ODG follows 9792.21.1(a)(2).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kg import vocab
from kg.audit.citations import match_citation_of
from kg.audit.finding import Finding
from kg.index import GuidelineIndex
from kg.letters.model import Citation, Item
from kg.resolve.citation import UNVERIFIED
from kg.resolve.service import read_service


def sequence_findings(
    number: int, item: Item, result: Any, index: GuidelineIndex, when: date
) -> list[Finding]:
    reviewer = item.reviewer_citations
    if not reviewer or any(c.mtus for c in reviewer):
        return []
    if any(_is_mtus_source(c, index, result) for c in reviewer):
        # an MTUS source mislabelled non-MTUS: reported as mtus_label, not as a search error
        return []
    if result is None or result.governing is None or not result.governing.mtus:
        return []
    if not addresses_specifically(item, result, index):
        return []
    # the rule in force on the letter's date (9792.25 before 2015-04-20, 9792.22 before 2009-07-18)
    rule = next((s.legal_basis for s in index.steps_on(when) if s.is_mtus), "8 CCR 9792.21.1")
    # The accusation rests on the graph's record of the section: say when that is unverified.
    trust = (
        " The graph's record of that section is unverified (researcher knowledge): check the "
        "guideline before relying on this finding."
        if getattr(result.governing, "confidence", UNVERIFIED) == UNVERIFIED
        else ""
    )
    return [
        Finding(
            number,
            "search_sequence",
            "warning",
            "Decided on non-MTUS sources although the MTUS in force addresses the service: "
            f"{result.governing.text} ({rule}: the MTUS is searched first).{trust}",
            "; ".join(c.text for c in reviewer),
        )
    ]


def addresses_specifically(item: Item, result: Any, index: GuidelineIndex) -> bool:
    """The resolver's governing MTUS section speaks of this service in this case's phase."""
    if result.treatment is None:
        return False
    if read_service(item.service or item.heading or "?", index).matched_by == "fuzzy":
        return False
    section = index.sections[result.governing.section_id]
    document = index.documents[section.document_id]
    treatment = result.treatment.id
    lineage = index.treatment_ancestors.get(treatment, ((treatment, 0),))
    via = next((a for a, _ in lineage if a in section.addresses), None)
    if via is None:
        return False  # the section only mentions it
    if via != treatment and index.treatments[via].kind == vocab.TreatmentKind.SERVICE_CATEGORY:
        return False
    return _for_phase(result.phase, section.phases) and _for_phase(result.phase, document.phases)


def _for_phase(phase: str | None, phases: tuple[str, ...]) -> bool:
    # The Chronic Pain guideline is written for chronic pain only (8 CCR 9792.24.2); the body-part
    # chapters, written for acute and subacute complaints, are still searched in a chronic case
    # (9792.23), so only the first limit is one.
    chronic_only = bool(phases) and set(phases) <= {vocab.Phase.CHRONIC}
    return not (chronic_only and phase in (vocab.Phase.ACUTE, vocab.Phase.SUBACUTE))


def _is_mtus_source(citation: Citation, index: GuidelineIndex, result: Any) -> bool:
    documents = match_citation_of(citation, index).document_ids
    return bool(result and result.governing and result.governing.document_id in documents)
