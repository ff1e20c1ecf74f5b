"""Domain values of the guideline graph: frozen, hashable, built once by `kg.index`.

Ids are CURIEs ("sec:cpmtg-2009-physical-medicine"); enumerations are the local names of the
ontology's individuals ("Chronic", "RecommendedWithConditions", "LowBack").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a node's facts come from and how well they are verified (None = verified)."""

    sources: tuple[str, ...]
    confidence: str | None = None


@dataclass(frozen=True, slots=True)
class Edition:
    id: str
    label: str
    family: str
    edition_label: str
    year: int | None
    publication_date: date | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    label: str
    letter_title: str
    aliases: tuple[str, ...]
    family: str
    edition_id: str
    edition_label: str
    year: int | None
    chapter: int | None
    cite_style: str  # "Page" or "SectionName"
    citation_label: str  # label when cited outside the MTUS: ACOEM, ODG, Other
    page_start: int | None
    page_end: int | None
    body_regions: tuple[str, ...]
    superseded_by: str | None
    devoted_to: tuple[str, ...]
    phases: tuple[str, ...]
    publication_date: date | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Adoption:
    """A document's membership of the MTUS over [effective_from, effective_until)."""

    id: str
    document_id: str
    citation_label: str
    regulation: str
    part: str | None
    effective_from: date
    effective_until: date | None
    provenance: Provenance

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (
            self.effective_until is None or on < self.effective_until
        )


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    document_id: str
    label: str
    aliases: tuple[str, ...]
    number: str | None
    page_start: int | None
    page_end: int | None
    addresses: tuple[str, ...]
    mentions: tuple[str, ...]
    applies_to: tuple[str, ...]
    body_regions: tuple[str, ...]
    phases: tuple[str, ...]
    recommendation: str
    evidence_grade: str | None
    summary: str | None
    criteria: tuple[str, ...]
    parent: str | None
    cited_in: tuple[str, ...]
    provenance: Provenance

    @property
    def pages(self) -> str | None:
        if self.page_start is None:
            return None
        if self.page_end is None or self.page_end == self.page_start:
            return str(self.page_start)
        return f"{self.page_start}-{self.page_end}"


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    kind: str
    text: str
    max_units: float | None = None
    min_units: float | None = None
    unit: str | None = None
    per_weeks: float | None = None
    max_weeks: float | None = None
    requires_fact: str | None = None  # the fact key, e.g. "functional_improvement"
    expected_value: bool = True
    for_conditions: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()  # treatments ruled out (not recommended)
    logic: str | None = None  # AllOf / AnyOf / AtLeast for groups
    at_least: int | None = None
    members: tuple[str, ...] = ()
    # statutory overlays only
    legal_basis: str | None = None
    applies_to_treatments: tuple[str, ...] = ()
    except_phases: tuple[str, ...] = ()
    injury_on_or_after: date | None = None
    provenance: Provenance = field(default_factory=lambda: Provenance(()))


@dataclass(frozen=True, slots=True)
class Condition:
    id: str
    label: str
    aliases: tuple[str, ...]
    icd10: str | None
    icd9: tuple[str, ...]
    body_regions: tuple[str, ...]
    broader: tuple[str, ...]
    valid_from: date | None
    valid_until: date | None
    replaced_by: tuple[str, ...]
    provenance: Provenance

    def code_valid_on(self, on: date) -> bool:
        after_start = self.valid_from is None or self.valid_from <= on
        before_end = self.valid_until is None or on < self.valid_until
        return after_start and before_end


@dataclass(frozen=True, slots=True)
class Treatment:
    id: str
    label: str
    aliases: tuple[str, ...]
    brand_names: tuple[str, ...]
    kind: str
    rxcui: str | None
    route: str | None
    broader: tuple[str, ...]
    ingredients: tuple[str, ...]
    body_regions: tuple[str, ...]
    provenance: Provenance
    topical_form: str | None = None  # gl:topicalForm: the drug as applied to the skin, judged apart


@dataclass(frozen=True, slots=True)
class DrugListVersion:
    id: str
    version: str
    effective_from: date
    provenance: Provenance
    effective_until: date | None = None  # None: in force, or its successor's date is not known


@dataclass(frozen=True, slots=True)
class FormularyEntry:
    id: str
    drug_id: str
    status: str  # Exempt / NonExempt
    special_fill_days: int | None
    perioperative_fill_days: int | None
    list_version_id: str
    effective_from: date
    effective_until: date | None
    provenance: Provenance

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (
            self.effective_until is None or on < self.effective_until
        )


@dataclass(frozen=True, slots=True)
class EvidenceStep:
    """One step of the search sequence as one rule set it out over [effective_from,
    effective_until): 8 CCR 9792.21.1 from 2015-04-20, 9792.25 before it, 9792.22 before that."""

    id: str
    order: int
    label: str
    legal_basis: str
    families: tuple[str, ...]
    is_mtus: bool
    rule: str = ""
    effective_from: date = date.min
    effective_until: date | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (
            self.effective_until is None or on < self.effective_until
        )


@dataclass(frozen=True, slots=True)
class CitationCount:
    """Items of a kind of service whose reviewers cited a family (tuning letters, issue 14)."""

    id: str
    treatment_id: str | None  # None: all services
    family: str  # ACOEM, ODG
    items: int
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class ClinicalFact:
    key: str
    type: str  # boolean, integer, date, string
    label: str
    comment: str
