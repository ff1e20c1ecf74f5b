"""Sections by filter, documents on a date, the labels a guideline goes by, narrower nodes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kg import model as m
from kg.index import GuidelineIndex
from kg.lookup.search import rank_names
from kg.resolve.sequence import (
    document_standing,  # the resolver's own rule of which documents count on a date
)
from kg.text import normalize


@dataclass(frozen=True, slots=True)
class SectionFilter:
    guideline: str | None = None  # a citation label ("MTUS CPMTG", "ODG") or a family ("ACOEM")
    document: str | None = None
    treatment: str | None = None
    condition: str | None = None
    as_of: date | None = None
    search: str | None = None


def filter_sections(index: GuidelineIndex, f: SectionFilter) -> list[str]:
    """Sections that pass every given filter, in document and page order (or search rank)."""
    ids: Iterable[str] = sorted(
        index.sections, key=lambda i: _section_order(index.sections[i], index)
    )
    if f.search:
        ids = _search_sections(index, f.search)
    if f.treatment:
        addressed = {
            s
            for a in index.treatment_lineage(f.treatment)
            for s in index.sections_by_treatment.get(a, ())
        }
        ids = [i for i in ids if i in addressed]
    if f.condition:
        lineage = set(index.condition_lineage(f.condition))
        ids = [i for i in ids if lineage & set(index.sections[i].applies_to)]
    if f.document:
        ids = [i for i in ids if index.sections[i].document_id == f.document]
    if f.as_of:
        usable = set(documents_as_of(index, f.as_of))
        ids = [i for i in ids if index.sections[i].document_id in usable]
    if f.guideline:
        ids = [
            i for i in ids if _labelled(index.sections[i].document_id, f.guideline, f.as_of, index)
        ]
    return list(ids)


def _section_order(s: m.Section, index: GuidelineIndex) -> tuple[object, ...]:
    return (
        document_order(index.documents[s.document_id]),
        s.page_start or 0,
        s.label.casefold(),
        s.id,
    )


def _search_sections(index: GuidelineIndex, query: str) -> list[str]:
    names: dict[str, list[str]] = {}
    for s in index.sections.values():
        for title in (s.label, *s.aliases):
            names.setdefault(normalize(title), []).append(s.id)
    labels = {s.id: s.label for s in index.sections.values()}
    return rank_names(query, {k: tuple(v) for k, v in names.items()}, labels)


def guideline_labels(document_id: str, on: date | None, index: GuidelineIndex) -> set[str]:
    """Every label the document answers to: its MTUS labels (on the date, if given), family, own
    label."""
    document = index.documents[document_id]
    adoptions = [index.adoptions[a] for a in index.adoptions_by_document.get(document_id, ())]
    mtus = {a.citation_label for a in adoptions if on is None or a.in_force(on)}
    return {label.casefold() for label in (*mtus, document.citation_label, document.family)}


def _labelled(document_id: str, guideline: str, on: date | None, index: GuidelineIndex) -> bool:
    labels = guideline_labels(document_id, on, index)
    wanted = guideline.strip().casefold()
    return wanted in labels or (
        wanted == "mtus" and any(label.startswith("mtus") for label in labels)
    )


def document_order(d: m.Document) -> tuple[object, ...]:
    return (d.family, -(d.year or 0), d.chapter or 0, d.label.casefold(), d.id)


def documents_as_of(index: GuidelineIndex, on: date | None) -> list[str]:
    """Documents a reviewer may use on the date (the resolver's rule), or all of them without a
    date.

    A document that left the MTUS, a DWC guideline not yet in force and a book not yet published are
    left out; ODG counts as current on any date.
    """
    ordered = sorted(index.documents.values(), key=document_order)
    return [d.id for d in ordered if on is None or document_standing(d, on, index) is not None]


def mtus_label(index: GuidelineIndex, document_id: str, on: date) -> str | None:
    """The MTUS citation label of the document on the date ("MTUS CPMTG"), None when not MTUS."""
    in_force = index.adoptions_on(document_id, on)
    return in_force[0].citation_label if in_force else None


def sections_of_condition(index: GuidelineIndex, condition_id: str) -> list[str]:
    return [
        s.id
        for s in sorted(index.sections.values(), key=lambda s: _section_order(s, index))
        if condition_id in s.applies_to
    ]


def narrower_treatments(index: GuidelineIndex, treatment_id: str) -> list[str]:
    tree = index.treatment_tree
    return sorted(tree.predecessors(treatment_id)) if treatment_id in tree else []


def narrower_conditions(index: GuidelineIndex, condition_id: str) -> list[str]:
    tree = index.condition_tree
    return sorted(tree.predecessors(condition_id)) if condition_id in tree else []
