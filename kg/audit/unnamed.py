"""A citation that names no guideline: "per guidelines", "evidence-based guidelines", a bare
section or treatment name. It cannot be checked against the MTUS in force or against the order
the law sets for the sources of a decision (LC 4610.5(c)(2): the MTUS, then other evidence-based
guidelines, then peer-reviewed studies), so the decision it supports cannot be checked either."""

from __future__ import annotations

import re

from kg.audit.citations import sides
from kg.audit.finding import Finding
from kg.index import GuidelineIndex
from kg.letters.model import Citation, Item
from kg.text import normalize

# A web address names its source (a payer's policy, a CMS manual): it is no finding here.
_ADDRESS = re.compile(r"https?://|\bwww\.|\.(?:com|org|gov|edu|net)\b", re.IGNORECASE)
# Words that describe a source without naming one.
_GENERIC = frozenset(
    """per the a an as according to based on in with of and for guideline guidelines evidence
    medical treatment current standard standards literature recommendation recommendations
    criteria published peer reviewed national nationally recognized clinical practice accepted
    scientific""".split()
)


def unnamed_findings(number: int, item: Item, index: GuidelineIndex) -> list[Finding]:
    return [
        Finding(
            number,
            "no_guideline_named",
            "warning",
            f"The {side} cites a source that names no guideline (no title, publisher or "
            "address): the decision cannot be checked against the MTUS or the order of sources "
            "of LC 4610.5(c)(2).",
            citation.text,
        )
        for side, citations in sides(item)
        for citation in citations
        if names_no_guideline(citation, index)
    ]


def names_no_guideline(citation: Citation, index: GuidelineIndex) -> bool:
    """The citation names no guideline: none was read from it, or what it names is only generic
    words or the bare name of a section or a treatment."""
    if citation.guideline is None:
        return True
    if citation.guideline != "Other":
        return False  # MTUS, ACOEM and ODG are named guidelines
    source = citation.topic or ""
    if _ADDRESS.search(source):
        return False
    words = normalize(source)
    if not words or all(w in _GENERIC for w in words.split()):
        return True
    return words in index.treatment_names or _is_section_title(words, index)


def _is_section_title(words: str, index: GuidelineIndex) -> bool:
    return words in index.titles.holding  # the section titles of every document, looked up
