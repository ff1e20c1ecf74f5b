"""Titles of documents and sections as letters cite them, normalised and keyed once per index.

The citation matcher (kg.citations) asks, for every citation of a letter, which documents a title
names and which section titles a document holds; answered from these dicts, a letter costs the
same however many documents and sections the graph holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg import model as m
from kg.text import normalize


@dataclass(frozen=True, slots=True)
class Titles:
    # document -> its section titles (normalised) -> the sections so titled
    sections_of: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # a section title (normalised) -> the documents holding a section so titled
    holding: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # document -> its titles normalised: letter title, label, aliases
    of_document: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # document family -> its documents, in id order
    by_family: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # an MTUS citation label -> the documents adopted under it (at any time), in id order
    adopted_as: dict[str, tuple[str, ...]] = field(default_factory=dict)
    longest_document_title: int = 0  # in words
    longest_section_title: dict[str, int] = field(default_factory=dict)  # per document, in words

    @classmethod
    def of(
        cls,
        documents: Iterable[m.Document],
        adoptions: Iterable[m.Adoption],
        section_titles: dict[tuple[str, str], tuple[str, ...]],
    ) -> Titles:
        sections_of: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
        holding: dict[str, list[str]] = defaultdict(list)
        for (document, title), ids in section_titles.items():
            sections_of[document][title] = ids
            if document not in holding[title]:
                holding[title].append(document)
        of_document: dict[str, tuple[str, ...]] = {}
        by_family: dict[str, list[str]] = defaultdict(list)
        for d in sorted(documents, key=lambda d: d.id):
            of_document[d.id] = tuple(normalize(t) for t in (d.letter_title, d.label, *d.aliases))
            by_family[d.family].append(d.id)
        adopted_as: dict[str, set[str]] = defaultdict(set)
        for a in adoptions:
            adopted_as[a.citation_label].add(a.document_id)
        longest = max((len(t.split()) for ts in of_document.values() for t in ts), default=0)
        return cls(
            dict(sections_of),
            {t: tuple(ds) for t, ds in holding.items()},
            of_document,
            {f: tuple(ds) for f, ds in by_family.items()},
            {label: tuple(sorted(ds)) for label, ds in adopted_as.items()},
            longest,
            {d: max((len(t.split()) for t in ts), default=0) for d, ts in sections_of.items()},
        )
