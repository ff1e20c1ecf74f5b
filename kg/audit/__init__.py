"""Audit a read determination letter against the graph: pure, returns findings as values.

Each finding names the item (1-based, 0 for the letter), a kind, a severity, a message and
the evidence (the citation text or the pages as printed; never the rationale, which carries
health information). "No finding" is the answer for a sound letter.

The checks live in small modules: citations (pages, MTUS label, edition, region), unnamed (a
source that names no guideline), postsurgical (post-surgical guidance without a surgery), sequence
(search sequence), rationale and copies (conclusion, copied rationales), dates (the letter's
date), druglist (the MTUS Drug List status a letter states). Every citation check runs on both
sides of the letter: the claims administrator's and the reviewer's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kg.audit.citations import citation_findings
from kg.audit.dates import IMR_START, letter_date, no_mtus_finding
from kg.audit.druglist import drug_list_findings
from kg.audit.finding import Finding
from kg.audit.postsurgical import postsurgical_findings
from kg.audit.rationale import rationale_findings, rationale_verdict
from kg.audit.sequence import sequence_findings
from kg.audit.unnamed import unnamed_findings
from kg.index import GuidelineIndex
from kg.letters.model import Case, Determination, Item
from kg.resolve import CachedResolver, ResolveRequest, resolve
from kg.resolve.request import FIRST_MTUS_DATE

__all__ = ["IMR_START", "Finding", "audit", "letter_date", "rationale_verdict"]


def audit(
    determination: Determination,
    index: GuidelineIndex,
    on: date | None = None,
    resolver: CachedResolver | None = None,
) -> list[Finding]:
    """Findings for a letter as read (`kg.letters.read_letter`).

    `resolver`, when given, resolves the items with the answers it keeps (one per CLI run or per
    served index, so a folder of letters shares them); without it each item is resolved afresh.
    """
    when = letter_date(determination, on)
    items = determination.items
    case = determination.case
    mtus_in_force = when >= FIRST_MTUS_DATE
    # Before the first MTUS there is nothing to resolve against or to label MTUS: that is said
    # once, and only what does not depend on the date is checked (pages, rationales).
    findings = [] if mtus_in_force else [no_mtus_finding(determination, on, when)]
    governing = (
        _resolve_items(items, case, when, index, resolver) if mtus_in_force else [None] * len(items)
    )
    for number, item in enumerate(items, start=1):
        findings += citation_findings(number, item, when, index, case, mtus_in_force, items)
        findings += unnamed_findings(number, item, index)
        findings += postsurgical_findings(number, item, items, case)
        findings += sequence_findings(number, item, governing[number - 1], index, when)
        findings += rationale_findings(number, item, items, index)
        findings += drug_list_findings(number, item, when, index)
    return findings


def _resolve_items(
    items: tuple[Item, ...],
    case: Case,
    when: date,
    index: GuidelineIndex,
    resolver: CachedResolver | None,
) -> list[Any]:
    if not items:
        return []
    facts = {"date_of_injury": case.date_of_injury} if _iso(case.date_of_injury) else {}
    request = ResolveRequest.parse(
        on=when,
        services=[i.service or i.heading or "?" for i in items],
        diagnoses=list(case.diagnoses),
        facts=facts,
        today=max(when, date.today()),
    )
    return list(resolver.resolve(request) if resolver is not None else resolve(request, index))


def _iso(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
        return True
    except ValueError:
        return False
