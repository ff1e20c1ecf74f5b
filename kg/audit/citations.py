"""Checks of each printed citation, on both sides of the letter (the claims administrator's UR
decision and the IMR reviewer's): pages, MTUS label, edition, region."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from kg.audit.copies import comparable, follows_a_denied_surgery
from kg.audit.finding import Finding
from kg.citations import CitationMatch, match_citation, page_ranges
from kg.index import GuidelineIndex
from kg.letters.model import Case, Citation, Item
from kg.resolve.diagnosis import read_diagnoses
from kg.resolve.service import body_regions
from kg.vocab import BodyRegion


def sides(item: Item) -> Iterator[tuple[str, tuple[Citation, ...]]]:
    """Each side of the item's decision with the citations it printed: the reviewer's (the
    "MAXIMUS guideline:" line) and the claims administrator's (the UR decision's)."""
    yield "reviewer", item.reviewer_citations
    yield "claims administrator", item.claims_administrator_citations


def citation_findings(
    number: int,
    item: Item,
    when: date,
    index: GuidelineIndex,
    case: Case,
    mtus_in_force: bool = True,
    items: tuple[Item, ...] = (),
) -> list[Finding]:
    out: list[Finding] = []
    reviewer = item.reviewer_citations
    if not reviewer and not _follows_a_cited_surgery(item, items):
        out.append(
            Finding(
                number,
                "no_citation",
                "warning",
                "The reviewer cites no guideline or evidence for the decision.",
                "",
            )
        )
    wanted: set[str] | None = None  # the regions of the service, read when first needed
    for side, citations in sides(item):
        regional: list[Finding] = []
        covered = False  # the side cites guidance for the service's own region too
        for citation in citations:
            out += _pages_findings(number, side, citation, index)
            if not mtus_in_force:
                continue
            match = match_citation_of(citation, index)
            out += _mtus_findings(number, side, citation, match, when, index)
            if citation.guideline in (None, "Other"):
                # an unnamed source or a web page has no chapter whose region could be wrong;
                # what a bare title matched would be a guess
                continue
            cited = _cited_regions(match, index)
            wanted = _service_regions(item, case, index, when) if wanted is None else wanted
            if cited & _with_shared_chapters(wanted):
                covered = True
            elif cited and wanted:
                regional.append(_region_finding(number, side, citation, cited, wanted))
        # A side that also cites the right region's chapter did not decide on the wrong one.
        out += [] if covered else regional
    return out


# The thoracic spine has no chapter of its own and the guidelines place it differently: ACOEM's
# "Neck and Upper Back Complaints" (ch. 8) takes the upper back, ODG's "Low Back - Lumbar &
# Thoracic" the whole of it. Guidance for the neck or the low back is not another region's.
_THORACIC_CHAPTERS = frozenset({BodyRegion.NECK, BodyRegion.LOW_BACK})


def _with_shared_chapters(regions: set[str]) -> set[str]:
    if BodyRegion.THORACIC_SPINE in regions:
        return regions | _THORACIC_CHAPTERS
    return regions


def _follows_a_cited_surgery(item: Item, items: tuple[Item, ...]) -> bool:
    """A service denied because the surgery it serves was denied (pre-operative clearance, a
    sling, post-operative therapy) rests on the surgery item's guidelines, which another item of
    the letter cites: that its own line cites nothing is no defect."""
    return follows_a_denied_surgery(comparable(item.rationale_text)) and any(
        other.reviewer_citations for other in items if other is not item
    )


def match_citation_of(citation: Citation, index: GuidelineIndex) -> CitationMatch:
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
    match = match_citation_of(citation, index)
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


def _cited_regions(match: CitationMatch, index: GuidelineIndex) -> set[str]:
    sections = [index.sections[i] for i in match.section_ids]
    documents = [index.documents[d] for d in match.document_ids]
    cited = {r for s in sections for r in s.body_regions} or {
        r for d in documents for r in d.body_regions
    }
    cited.discard(BodyRegion.SYSTEMIC)
    return cited


# A limb named without a joint ("EMG of the left upper extremity") is worked up under the spine
# chapter of its nerves or the chapter of any of its joints: guidance for any of them is the
# limb's own.
_LIMBS = (
    (
        re.compile(r"\bupper extremit(y|ies)\b|\barms?\b", re.IGNORECASE),
        {BodyRegion.NECK, BodyRegion.SHOULDER, BodyRegion.ELBOW, BodyRegion.FOREARM_WRIST_HAND},
    ),
    (
        re.compile(r"\blower extremit(y|ies)\b|\blegs?\b", re.IGNORECASE),
        {BodyRegion.LOW_BACK, BodyRegion.HIP_PELVIS, BodyRegion.KNEE, BodyRegion.ANKLE_FOOT},
    ),
)


def _service_regions(item: Item, case: Case, index: GuidelineIndex, when: date) -> set[str]:
    """The regions the service names (a limb: all of its regions), or else the diagnoses'."""
    named = set(body_regions(item.service, referred=False))
    for limb, regions in _LIMBS:
        if limb.search(item.service):
            named |= regions
    return named or set(read_diagnoses(case.diagnoses, index, when).regions)


def _region_finding(
    number: int, side: str, citation: Citation, cited: set[str], wanted: set[str]
) -> Finding:
    return Finding(
        number,
        "wrong_region",
        "warning",
        f"The {side} cites guidance for {', '.join(sorted(cited))}; the service and diagnoses "
        f"concern {', '.join(sorted(wanted))}.",
        citation.text,
    )
