"""Which documents and sections of the graph does a citation, as a letter prints it, mean?

Used by the letter audit and by the evaluations. Titles are matched on normalised text, so
"Manual therapy & manipulation" and "Manual therapy and manipulation" are the same title; a
"Section(s): A, B, C" list is split on the known titles of the cited document, so titles that
contain commas ("NSAIDs, GI symptoms & cardiovascular risk") stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from kg.index import GuidelineIndex
from kg.per_index import per_index
from kg.text import normalize

MTUS_LABELS = (
    "MTUS CPMTG",
    "MTUS ACOEM",
    "MTUS Acupuncture",
    "MTUS Post-Surgical",
    "MTUS Opioids",
    "MTUS Drug Formulary",
)
_PAGES = re.compile(r"(\d+)\s*(?:-\s*(\d+))?")


@dataclass(frozen=True, slots=True)
class SectionMatch:
    title: str  # the title as matched (normalised)
    section_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CitationMatch:
    document_ids: tuple[str, ...]
    sections: tuple[SectionMatch, ...]
    unmatched: tuple[str, ...]  # pieces of the section text that name no known section

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for s in self.sections for i in s.section_ids))


def documents_for(
    guideline: str | None,
    topic: str | None,
    edition: str | None,
    index: GuidelineIndex,
    chapter: str | None = None,
) -> tuple[str, ...]:
    """Documents a citation's guideline label, title and edition can mean, best first."""
    ids, members, chapter_named = _pools(index).of(
        guideline, _year(edition), (chapter or "").strip()
    )
    if chapter_named and not topic:
        return ids
    if topic:
        text = normalize(topic)
        # the documents whose titles hold the topic's words, not every document of the pool
        scored = [(s, i) for i, s in _title_scores(text, index).items() if i in members]
        if scored:
            best = max(s for s, _ in scored)
            return tuple(sorted(i for s, i in scored if s == best))
        # No chapter named ("ODG Physical Therapy Guidelines"): the documents holding a section
        # titled exactly so.
        holding = sorted(doc for doc in index.titles.holding.get(text, ()) if doc in members)
        if holding:
            return tuple(holding)
    return tuple(ids) if guideline in MTUS_LABELS else ()


class _Pools:
    """The documents a citation's label, edition year and chapter leave, kept per index: the same
    for every letter that cites them so, so a citation costs what its topic's words cost, not a
    pass over the documents. Holds the index's tables, not the index: kept per index
    (kg.per_index), it must not keep a let-go index alive."""

    def __init__(self, index: GuidelineIndex) -> None:
        self.documents = index.documents
        self.titles = index.titles
        self.of = lru_cache(maxsize=POOLS)(self._of)

    def _of(
        self, guideline: str | None, year: int | None, chapter: str
    ) -> tuple[tuple[str, ...], frozenset[str], bool]:
        """The documents left (in id order, and as a set), and whether the chapter named some."""
        family = _family(guideline)
        documents, titles = self.documents, self.titles
        pool = (
            list(documents.values())
            if family is None
            else [documents[i] for f in family for i in titles.by_family.get(f, ())]
        )
        if guideline in MTUS_LABELS:
            pool = [documents[i] for i in titles.adopted_as.get(guideline, ())]
        if year:
            pool = [d for d in pool if d.year == year] or pool
        by_chapter = (
            [d for d in pool if d.chapter is not None and str(d.chapter) == chapter]
            if chapter
            else []
        )
        ids = tuple(sorted(d.id for d in by_chapter or pool))
        return ids, frozenset(ids), bool(by_chapter)


_pools = per_index(_Pools)
POOLS = 1024  # distinct (label, edition year, chapter) of citations kept per index


def match_citation(
    guideline: str | None,
    topic: str | None,
    sections: str | None,
    pages: str | None,
    edition: str | None,
    index: GuidelineIndex,
    chapter: str | None = None,
) -> CitationMatch:
    documents = documents_for(guideline, topic, edition, index, chapter)
    if pages and len(documents) > 1:  # a page number only makes sense in a page-cited document
        documents = (
            tuple(d for d in documents if index.documents[d].cite_style == "Page") or documents
        )
    if not documents and pages:
        documents = _documents_with_pages(guideline, edition, pages, index)
    if len(documents) > 1 and (sections or topic):  # keep the documents that hold the cited titles
        holding = tuple(
            d for d in documents if split_titles(sections or topic or "", (d,), index)[0]
        )
        documents = holding or documents
    found: list[SectionMatch] = []
    unmatched: list[str] = []
    for text in (sections, None if sections else _topic_rest(topic, documents, index)):
        if text:
            matched, rest = split_titles(text, documents, index)
            found += matched
            unmatched += rest
    if pages:
        found += pages_to_sections(pages, documents, index)
    return CitationMatch(documents, tuple(found), tuple(unmatched))


def split_titles(
    text: str, documents: Iterable[str], index: GuidelineIndex
) -> tuple[list[SectionMatch], list[str]]:
    """Greedy longest-title split of a section list against the documents' section titles."""
    documents = tuple(documents)
    of = index.titles.sections_of
    titles: dict[str, tuple[str, ...]] | dict[str, list[str]]
    if len(documents) == 1:  # most citations name one document: its titles as they are
        titles = of.get(documents[0], {})
    else:
        titles = {}
        for document in documents:
            for title, ids in of.get(document, {}).items():
                titles.setdefault(title, [])
                titles[title] += [i for i in ids if i not in titles[title]]
    longest = max((index.titles.longest_section_title.get(d, 0) for d in documents), default=0)
    words = normalize(text).split()
    found, rest, pending = [], [], []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            title = " ".join(words[i : i + n])
            if title in titles:
                if pending:
                    rest.append(" ".join(pending))
                    pending = []
                found.append(SectionMatch(title, tuple(titles[title])))
                i += n
                break
        else:
            if words[i] not in ("and", "section", "sections", "s", "chapter"):
                pending.append(words[i])
            i += 1
    if pending:
        rest.append(" ".join(pending))
    return found, rest


def pages_to_sections(
    pages: str, documents: Iterable[str], index: GuidelineIndex
) -> list[SectionMatch]:
    """Sections of page-cited documents whose page range overlaps a cited range."""
    out = []
    for start, end in page_ranges(pages):
        lo, hi = min(start, end), max(start, end)
        ids = tuple(
            s.id
            for d in documents
            for s in _sections(d, index)
            if s.page_start is not None
            and s.page_start <= hi
            and (s.page_end or s.page_start) >= lo
        )
        if ids:
            out.append(SectionMatch(f"{start}-{end}", ids))
    return out


def page_ranges(pages: str) -> list[tuple[int, int]]:
    """'63-34, 41-42' -> [(63, 34), (41, 42)]: kept as printed, an impossible range included."""
    return [(int(a), int(b) if b else int(a)) for a, b in _PAGES.findall(pages)]


def _documents_with_pages(
    guideline: str | None, edition: str | None, pages: str, index: GuidelineIndex
) -> tuple[str, ...]:
    """A page-cited citation without a title: the documents of its family and edition holding the
    pages."""
    family, year = _family(guideline), _year(edition)
    ranges = page_ranges(pages)
    if not ranges or family is None:
        return ()
    first = min(ranges[0])
    return tuple(
        sorted(
            d.id
            for d in (index.documents[i] for f in family for i in index.titles.by_family.get(f, ()))
            if d.family in family
            and (year is None or d.year == year)
            and d.page_start is not None
            and d.page_start <= first <= (d.page_end or d.page_start)
        )
    )


def _sections(document: str, index: GuidelineIndex) -> list:
    return [index.sections[i] for i in index.sections_by_document.get(document, ())]


def _topic_rest(topic: str | None, documents: tuple[str, ...], index: GuidelineIndex) -> str | None:
    """For citations without Section(s) (ODG, old format), the topic text after the document
    title."""
    if not topic or not documents:
        return None
    text = normalize(topic)
    for title in sorted(index.titles.of_document[documents[0]], key=len, reverse=True):
        if title and title in text:
            return text.replace(title, " ", 1)
    return text


def _title_scores(text: str, index: GuidelineIndex) -> dict[str, int]:
    """How well each document's titles match a normalised topic: 1000 + the title's length for a
    title that is the whole topic, the title's length for one that is a run of its words, none
    else. Looked up by the runs of the topic's words, not by scanning the documents."""
    words = text.split()
    longest = index.titles.longest_document_title
    out: dict[str, int] = {}
    for i in range(len(words)):
        for n in range(1, min(longest, len(words) - i) + 1):
            title = " ".join(words[i : i + n])
            score = 1000 + len(title) if title == text else len(title)
            for document in index.document_titles.get(title, ()):
                if score > out.get(document, 0):
                    out[document] = score
    return out


def _family(guideline: str | None) -> tuple[str, ...] | None:
    return {"ACOEM": ("ACOEM",), "ODG": ("ODG",), "MTUS ACOEM": ("ACOEM",)}.get(
        guideline or "", None
    )


def _year(edition: str | None) -> int | None:
    match = re.search(r"(19|20)\d\d", edition or "")
    return int(match.group(0)) if match else None
