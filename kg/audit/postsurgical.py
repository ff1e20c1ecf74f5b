"""Post-surgical guidance cited where nothing says there was, or is to be, a surgery.

The Post-Surgical Treatment Guidelines (8 CCR 9792.24.3) govern physical medicine during the
post-surgical period after a surgery; without a surgery they do not apply, and a decision resting
on them rests on the wrong guideline. The letter says there was a surgery in its diagnoses ("s/p
arthroscopy"), in a disputed service (a surgery, post-operative therapy) or in the item's
rationale; the audit looks in all three and keeps quiet when any speaks of one.
"""

from __future__ import annotations

import re

from kg.audit.citations import sides
from kg.audit.finding import Finding
from kg.letters.model import Case, Item

_POSTSURGICAL_CITED = re.compile(r"post[- ]?surg", re.IGNORECASE)
# Words that say a surgery was done or is planned (any of them keeps the check quiet).
_SURGERY = re.compile(
    r"\b(surgery|surgeries|surgical|surgeon|operative|operation|s/p|status[- ]post|post[- ]?op"
    r"|pre[- ]?op|arthroscop\w*|\w+ectomy|\w+otomy|\w+ostomy|\w+plasty|\w+desis|fusion|orif"
    r"|repair|reconstruction|replacement|decompression|release)\b",
    re.IGNORECASE,
)


def postsurgical_findings(
    number: int, item: Item, items: tuple[Item, ...], case: Case
) -> list[Finding]:
    cited = [
        (side, citation)
        for side, citations in sides(item)
        for citation in citations
        if _POSTSURGICAL_CITED.search(citation.text)
    ]
    if not cited or _speaks_of_surgery(item, items, case):
        return []
    return [
        Finding(
            number,
            "postsurgical_without_surgery",
            "warning",
            f"The {side} cites post-surgical guidance, but neither the diagnoses, the disputed "
            "services nor the rationale speak of a surgery (8 CCR 9792.24.3: the Post-Surgical "
            "Treatment Guidelines apply after a surgery).",
            citation.text,
        )
        for side, citation in cited
    ]


def _speaks_of_surgery(item: Item, items: tuple[Item, ...], case: Case) -> bool:
    texts = [
        *case.diagnoses,
        *(t for other in (*items, item) for t in (other.service, other.heading)),
        item.rationale_text,
    ]
    return any(_SURGERY.search(t) for t in texts if t)
