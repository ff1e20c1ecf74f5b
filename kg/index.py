"""GuidelineIndex: plain dicts and networkx trees, built once, read by every request.

Nothing on the request path touches rdflib: `kg.build.build_index` walks the graph one time
and the resolver, letter audit and API read only this index (DESIGN.md §6). This module does
not import rdflib, so a cached index loads without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg import model as m
from kg.names import NameWords
from kg.titles import Titles

if TYPE_CHECKING:
    from kg.reach import Reached


@dataclass(frozen=True)
class GuidelineIndex:
    """Everything the service reads, keyed for constant-time lookups. Treat as immutable."""

    version: str
    triples: int
    editions: dict[str, m.Edition]
    documents: dict[str, m.Document]
    adoptions: dict[str, m.Adoption]
    sections: dict[str, m.Section]
    criteria: dict[str, m.Criterion]
    conditions: dict[str, m.Condition]
    treatments: dict[str, m.Treatment]
    formulary: dict[str, m.FormularyEntry]
    list_versions: dict[str, m.DrugListVersion]
    steps: tuple[m.EvidenceStep, ...]
    facts: dict[str, m.ClinicalFact]
    family_publishers: dict[str, str]
    # lookups
    treatment_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    condition_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the fuzzy paths' choices, built once: treatment names by their words, condition names listed
    treatment_words: NameWords = field(default_factory=lambda: NameWords.of(()))
    condition_choices: tuple[str, ...] = ()  # ordered by length, then as condition_names
    condition_choice_lengths: tuple[int, ...] = ()  # their lengths: a window is found by bisect
    condition_choice_order: tuple[int, ...] = ()  # their places in condition_names
    condition_by_icd10: dict[str, str] = field(default_factory=dict)
    conditions_by_icd9: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sections_by_treatment: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sections_mentioning: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sections_by_document: dict[str, tuple[str, ...]] = field(default_factory=dict)
    section_titles: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    document_titles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    titles: Titles = field(default_factory=Titles)  # what the citation matcher looks up
    adoptions_by_document: dict[str, tuple[str, ...]] = field(default_factory=dict)
    formulary_by_drug: dict[str, tuple[str, ...]] = field(default_factory=dict)
    overlays: tuple[str, ...] = ()
    citation_counts: tuple[m.CitationCount, ...] = ()
    # treatment id ("" = all services) -> its citation counts, one per family
    counts_by_treatment: dict[str, tuple[m.CitationCount, ...]] = field(default_factory=dict)
    treatment_ancestors: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    condition_ancestors: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    # condition -> its ICD-10-CM code, for codes the ICD-10-CM code set does not hold: read when the
    # index is built, so that checking a graph before serving it never loads the code set
    icd10_unknown: dict[str, str] = field(default_factory=dict)
    # treatment -> the sections it reaches, with what of their rank no case changes (kg.reach)
    reached: dict[str, tuple[Reached, ...]] = field(default_factory=dict)
    treatment_tree: nx.DiGraph = field(default_factory=nx.DiGraph)
    condition_tree: nx.DiGraph = field(default_factory=nx.DiGraph)
    # built from a graph that passed the checks a server applies before serving it (kg.load_index's
    # `check`): a cached index that did not is checked before a server takes it
    checked: bool = False

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the fields only."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def treatment_lineage(self, treatment_id: str) -> tuple[str, ...]:
        """The treatment and every broader one, nearest first (cyclobenzaprine, muscle relaxants,
        medications); the treatment alone when the graph has no hierarchy for it."""
        return tuple(a for a, _ in self.treatment_ancestors.get(treatment_id, ((treatment_id, 0),)))

    def condition_lineage(self, condition_id: str) -> tuple[str, ...]:
        """The condition and every broader one, nearest first."""
        return tuple(a for a, _ in self.condition_ancestors.get(condition_id, ((condition_id, 0),)))

    def publisher_of(self, document_id: str) -> str:
        return self.family_publishers.get(self.documents[document_id].family, "other")

    def treatment_descendants(self, treatment_id: str) -> set[str]:
        """Narrower treatments (the tree's edges point from child to parent)."""
        if treatment_id not in self.treatment_tree:
            return set()
        return set(nx.ancestors(self.treatment_tree, treatment_id))

    def steps_on(self, on: date) -> tuple[m.EvidenceStep, ...]:
        """The search sequence in force on the date, in order (8 CCR 9792.21.1 from 2015-04-20,
        9792.25 from 2009-07-18, 9792.22 from 2007-06-15, the ACOEM presumption of LC 4604.5
        before the MTUS). Before the earliest rule of the graph, the earliest rule stands in."""
        found = tuple(s for s in self.steps if s.in_force(on))
        if found or not self.steps:
            return tuple(sorted(found, key=lambda s: s.order))
        first = min(s.effective_from for s in self.steps)
        return tuple(
            sorted((s for s in self.steps if s.effective_from == first), key=lambda s: s.order)
        )

    def adoptions_on(self, document_id: str, on: date) -> list[m.Adoption]:
        ids = self.adoptions_by_document.get(document_id, ())
        return [a for a in (self.adoptions[i] for i in ids) if a.in_force(on)]

    def stats(self) -> dict[str, Any]:
        by_publisher = {"DWC": 0, "ACOEM": 0, "ODG": 0}
        for section in self.sections.values():
            publisher = self.publisher_of(section.document_id)
            by_publisher[publisher] = by_publisher.get(publisher, 0) + 1
        return {
            "triples": self.triples,
            "documents": len(self.documents),
            "sections": len(self.sections),
            "criteria": len(self.criteria),
            "conditions": len(self.conditions),
            "treatments": len(self.treatments),
            "formulary_entries": len(self.formulary),
            "sections_by_publisher": by_publisher,
        }
