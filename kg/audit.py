"""Audit a read determination letter against the graph: pure, returns findings as values.

Each finding names the item (1-based, 0 for the letter), a kind, a severity, a message and
the evidence (the citation text or the pages as printed; never the rationale, which carries
health information). "No finding" is the answer for a sound letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from kg.citations import CitationMatch, match_citation, page_ranges
from kg.index import GuidelineIndex
from kg.letters.model import Case, Citation, Determination, Item
from kg.resolve import CachedResolver, ResolveRequest, resolve
from kg.resolve.diagnosis import read_diagnoses
from kg.resolve.request import FIRST_MTUS_DATE
from kg.resolve.service import body_regions, match_treatments
from kg.text import normalize
from kg.vocab import BodyRegion, TreatmentKind

# IMR applies to UR decisions communicated on or after 2013-07-01 (LC 4610.5(a)): a letter
# without header dates is dated no earlier than that, nor before the injury.
IMR_START = date(2013, 7, 1)
_NEGATED = re.compile(r"\b(not|non|isn't|wasn't|cannot|no longer)\b", re.IGNORECASE)
# Treatments too broad to say which service a rationale speaks of.
_CATEGORIES = (TreatmentKind.SERVICE_CATEGORY,)


@dataclass(frozen=True, slots=True)
class Finding:
    item: int
    kind: str
    severity: str  # error, warning
    message: str
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "evidence": self.evidence,
        }


def _header_date(determination: Determination) -> tuple[str, date] | None:
    """The header date a letter is judged on, with the field it came from."""
    for key in ("ur_denial_date", "date_assigned", "decision_date"):
        value = getattr(determination.letter_dates, key)
        if value:
            try:
                return key, date.fromisoformat(value)
            except ValueError:
                continue
    return None


def letter_date(determination: Determination, on: date | None = None) -> date:
    if on is not None:
        return on
    if header := _header_date(determination):
        return header[1]
    injury = determination.case.date_of_injury
    floor = date.fromisoformat(injury) if injury else IMR_START
    return max(floor, IMR_START)


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
    findings = [] if mtus_in_force else [_no_mtus_finding(determination, on, when)]
    governing = (
        _resolve_items(items, case, when, index, resolver) if mtus_in_force else [None] * len(items)
    )
    for number, item in enumerate(items, start=1):
        findings += _citation_findings(number, item, when, index, case, mtus_in_force)
        findings += _sequence_findings(number, item, governing[number - 1], index)
        findings += _rationale_findings(number, item, items, index)
    return findings


def _no_mtus_finding(determination: Determination, on: date | None, when: date) -> Finding:
    header = _header_date(determination)
    evidence = f"date given: {when}" if on is not None or header is None else f"{header[0]}: {when}"
    return Finding(
        0,
        "no_mtus_in_force",
        "error",
        f"The letter is dated {when}, before the first MTUS took effect ({FIRST_MTUS_DATE}): no "
        f"MTUS "
        f"was in force, so its MTUS citations and the search sequence cannot be checked (IMR "
        f"itself "
        f"began on {IMR_START}; is the date right?).",
        evidence,
    )


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


def _citation_findings(
    number: int,
    item: Item,
    when: date,
    index: GuidelineIndex,
    case: Case,
    mtus_in_force: bool = True,
) -> list[Finding]:
    out: list[Finding] = []
    reviewer = item.reviewer_citations
    if not reviewer:
        out.append(
            Finding(
                number,
                "no_citation",
                "warning",
                "The reviewer cites no guideline or evidence for the decision.",
                "",
            )
        )
    for side, citations in (
        ("reviewer", reviewer),
        ("claims administrator", item.claims_administrator_citations),
    ):
        for citation in citations:
            out += _pages_findings(number, side, citation, index)
            if not mtus_in_force:
                continue
            match = _match(citation, index)
            out += _mtus_findings(number, side, citation, match, when, index)
            if side == "reviewer":
                out += _region_findings(number, item, citation, match, index, case, when)
    return out


def _match(citation: Citation, index: GuidelineIndex) -> CitationMatch:
    return match_citation(
        citation.guideline,
        citation.topic,
        citation.sections,
        citation.pages,
        citation.edition,
        index,
        citation.chapter,
    )


def _pages_findings(
    number: int, side: str, citation: Citation, index: GuidelineIndex
) -> list[Finding]:
    pages = citation.pages
    if not pages:
        return []
    out = []
    ranges = page_ranges(pages)
    for start, end in ranges:
        if end < start:
            out.append(
                Finding(
                    number,
                    "impossible_page_range",
                    "error",
                    f"The {side} cites pages {start}-{end}: the range ends before it starts.",
                    citation.text,
                )
            )
    match = _match(citation, index)
    cited = [
        index.sections[i] for s in match.sections if not s.title[0].isdigit() for i in s.section_ids
    ]
    paged = [s for s in cited if s.page_start is not None]
    for start, end in ranges:
        if (
            end >= start
            and paged
            and not any(
                s.page_start <= start and end <= (s.page_end or s.page_start) for s in paged
            )
        ):
            spans = ", ".join(f"{s.label} {s.pages}" for s in paged)
            out.append(
                Finding(
                    number,
                    "pages_outside_section",
                    "warning",
                    f"The {side} cites pages {start}-{end}, outside the cited section(s): {spans}.",
                    citation.text,
                )
            )
    return out


def _mtus_findings(
    number: int,
    side: str,
    citation: Citation,
    match: CitationMatch,
    when: date,
    index: GuidelineIndex,
) -> list[Finding]:
    if not match.document_ids:
        return []
    documents = [index.documents[d] for d in match.document_ids]
    in_force = [d for d in documents if index.adoptions_on(d.id, when)]
    text = citation.text
    if citation.mtus and not in_force:
        superseded = [
            d for d in documents if d.superseded_by and index.adoptions_on(d.superseded_by, when)
        ]
        if superseded:
            newer = index.documents[superseded[0].superseded_by]
            return [
                Finding(
                    number,
                    "superseded_edition",
                    "warning",
                    f"The {side} cites {superseded[0].label}, superseded by {newer.label} on the "
                    f"letter's date ({when}).",
                    text,
                )
            ]
        return [
            Finding(
                number,
                "mtus_label",
                "error",
                f"The {side} cites {documents[0].label} as MTUS, but it was not part of the MTUS "
                f"on {when}.",
                text,
            )
        ]
    if not citation.mtus and in_force and len(in_force) == len(documents):
        return [
            Finding(
                number,
                "mtus_label",
                "error",
                f"The {side} cites {in_force[0].label} as non-MTUS, but it was part of the MTUS "
                f"on {when}.",
                text,
            )
        ]
    return []


def _region_findings(
    number: int,
    item: Item,
    citation: Citation,
    match: CitationMatch,
    index: GuidelineIndex,
    case: Case,
    when: date,
) -> list[Finding]:
    sections = [index.sections[i] for i in match.section_ids]
    documents = [index.documents[d] for d in match.document_ids]
    cited = {r for s in sections for r in s.body_regions} or {
        r for d in documents for r in d.body_regions
    }
    cited.discard(BodyRegion.SYSTEMIC)
    service_regions = set(body_regions(item.service, referred=False))
    if not service_regions:
        service_regions = set(read_diagnoses(case.diagnoses, index, when).regions)
    if cited and service_regions and not cited & service_regions:
        return [
            Finding(
                number,
                "wrong_region",
                "warning",
                f"The cited guidance is for {', '.join(sorted(cited))}; the service and diagnoses "
                f"concern "
                f"{', '.join(sorted(service_regions))}.",
                citation.text,
            )
        ]
    return []


def _sequence_findings(
    number: int, item: Item, result: Any, index: GuidelineIndex
) -> list[Finding]:
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
    documents = _match(citation, index).document_ids
    return bool(result and result.governing and result.governing.document_id in documents)


def _rationale_findings(
    number: int, item: Item, items: tuple[Item, ...], index: GuidelineIndex
) -> list[Finding]:
    out: list[Finding] = []
    rationale = item.rationale_text
    if not rationale:
        return out
    verdict = rationale_verdict(rationale)
    if verdict is not None and verdict != item.medically_necessary:
        said = "medically necessary" if verdict else "not medically necessary"
        out.append(
            Finding(
                number,
                "decision_contradicts_rationale",
                "error",
                f"The decision is {item.decision}, but the rationale concludes the service is "
                f"{said}.",
                item.decision,
            )
        )
    copied_from = next(
        (
            n
            for n, other in enumerate(items[: number - 1], start=1)
            if other.rationale_text == rationale
        ),
        None,
    )
    own = _family_of(item.service, index)
    spoken = _treatments_in(rationale, index)
    if own and spoken and not own & spoken:
        others = [
            n
            for n, other in enumerate(items, start=1)
            if n != number and _family_of(other.service, index) & spoken
        ]
        if others:
            copied = f" and is a copy of item {copied_from}'s" if copied_from else ""
            out.append(
                Finding(
                    number,
                    "rationale_other_service",
                    "error",
                    f"The rationale speaks of item {others[0]}'s service, not of this one{copied}.",
                    item.service,
                )
            )
            return out
    if copied_from:
        out.append(
            Finding(
                number,
                "rationale_copied",
                "warning",
                f"The rationale is a word-for-word copy of item {copied_from}'s.",
                item.service,
            )
        )
    return out


def rationale_verdict(rationale: str) -> bool | None:
    """The rationale's conclusion: True = medically necessary, False = not, None = not stated."""
    found = list(re.finditer(r"medically necessary", rationale, re.IGNORECASE))
    if not found:
        return None
    last = found[-1]
    before = rationale[max(0, last.start() - 60) : last.start()]
    clause = re.split(r"[.;:!?]", before)[-1]
    return not _NEGATED.search(clause)


def _family_of(service: str, index: GuidelineIndex) -> set[str]:
    ids, _, _, _ = match_treatments(service, index)
    family: set[str] = set()
    for node in ids:
        family |= {a for a, _ in index.treatment_ancestors.get(node, ()) if _specific(a, index)}
        family |= (
            {d for d in index.treatment_tree.predecessors(node)}
            if node in index.treatment_tree
            else set()
        )
        family.add(node)
    return family


def _treatments_in(text: str, index: GuidelineIndex) -> set[str]:
    words = normalize(text).split()
    found: set[str] = set()
    firsts = index.treatment_words.firsts
    for i in range(len(words)):
        if words[i] not in firsts:  # no treatment name begins with this word
            continue
        for n in range(min(6, len(words) - i), 0, -1):
            ids = index.treatment_names.get(" ".join(words[i : i + n]))
            if ids:
                found |= {t for t in ids if _specific(t, index)}
                break
    return found


def _specific(treatment_id: str, index: GuidelineIndex) -> bool:
    treatment = index.treatments.get(treatment_id)
    return treatment is not None and treatment.kind not in _CATEGORIES


def _iso(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
        return True
    except ValueError:
        return False
