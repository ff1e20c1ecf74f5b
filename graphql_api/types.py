"""The graph's nodes as GraphQL types: documents, sections, criteria, treatments, conditions.

Each type is built from a `kg.model` value by `from_domain`; links to other nodes are resolvers
that look the ids up in the request's index, so nothing is fetched that was not asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import strawberry

from graphql_api.context import Info
from graphql_api.enums import CiteStyle, DrugListStatus, Phase, Recommendation
from kg import lookup
from kg import model as m
from kg.index import GuidelineIndex

SOURCES = "Where the facts of this node come from (URLs, regulations, document names)."
CONFIDENCE = (
    "How well the facts are verified: null when checked against the source; otherwise a mark "
    "(V2+, V1, REQ, LETTERS, U = unverified)."
)


def _pick(ids: Iterable[str], table: dict[str, object]) -> list[str]:
    return [i for i in ids if i in table]


@strawberry.type(
    description="A medical service as guidelines and letters name it: a drug, drug class, therapy, "
    "procedure, injection, imaging study, consultation, device or program."
)
class Treatment:
    id: strawberry.ID = strawberry.field(
        description="Stable identifier, e.g. `tx:cyclobenzaprine`."
    )
    label: str = strawberry.field(description="Preferred name.")
    aliases: list[str] = strawberry.field(
        description="Other names letters use (abbreviations, synonyms)."
    )
    brand_names: list[str] = strawberry.field(description="Brand names of a drug (e.g. Flexeril).")
    kind: str = strawberry.field(
        description="Kind of service: Drug, DrugClass, Therapy, Procedure, Injection, "
        "Imaging, Consultation, DME, Program, ServiceCategory, CompoundedProduct, ..."
    )
    rxcui: str | None = strawberry.field(description="RxNorm concept id of a drug, when known.")
    route: str | None = strawberry.field(
        description="Route of a drug (Oral, Topical, ...), when it matters."
    )
    body_regions: list[str] = strawberry.field(
        description="Body regions the service is specific to, if any."
    )
    sources: list[str] = strawberry.field(description=SOURCES)
    confidence: str | None = strawberry.field(description=CONFIDENCE)
    broader_ids: strawberry.Private[tuple[str, ...]]
    ingredient_ids: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_domain(cls, t: m.Treatment) -> Treatment:
        return cls(
            id=strawberry.ID(t.id),
            label=t.label,
            aliases=list(t.aliases),
            brand_names=list(t.brand_names),
            kind=t.kind,
            rxcui=t.rxcui,
            route=t.route,
            body_regions=list(t.body_regions),
            sources=list(t.provenance.sources),
            confidence=t.provenance.confidence,
            broader_ids=t.broader,
            ingredient_ids=t.ingredients,
        )

    @classmethod
    def many(cls, index: GuidelineIndex, ids: Iterable[str]) -> list[Treatment]:
        return [cls.from_domain(index.treatments[i]) for i in _pick(ids, index.treatments)]

    @strawberry.field(
        description="Broader kinds of this service (cyclobenzaprine -> muscle relaxants)."
    )
    def broader(self, info: Info) -> list[Treatment]:
        return Treatment.many(info.context.index, self.broader_ids)

    @strawberry.field(
        description="Narrower kinds of this service (muscle relaxants -> cyclobenzaprine)."
    )
    def narrower(self, info: Info) -> list[Treatment]:
        return Treatment.many(
            info.context.index, lookup.narrower_treatments(info.context.index, self.id)
        )

    @strawberry.field(description="Ingredients of a compounded product.")
    def ingredients(self, info: Info) -> list[Treatment]:
        return Treatment.many(info.context.index, self.ingredient_ids)

    @strawberry.field(
        description="Guideline sections that address this service by name (not through a broader "
        "kind; use `sections(filter: {treatment: ...})` for those too)."
    )
    def sections(self, info: Info) -> list[GuidelineSection]:
        return GuidelineSection.many(
            info.context.index, info.context.index.sections_by_treatment.get(self.id, ())
        )

    @strawberry.field(
        description="MTUS Drug List entries of this drug, every version, oldest first."
    )
    def formulary_entries(self, info: Info) -> list[FormularyEntry]:
        index = info.context.index
        entries = sorted(
            (index.formulary[e] for e in index.formulary_by_drug.get(self.id, ())),
            key=lambda e: e.effective_from,
        )
        return [FormularyEntry.from_domain(e, index) for e in entries]


@strawberry.type(
    description="A diagnosis concept, with its ICD-10-CM code (and ICD-9 codes for older letters)."
)
class Condition:
    id: strawberry.ID = strawberry.field(description="Stable identifier, e.g. `cond:M54.5`.")
    code: str | None = strawberry.field(description="ICD-10-CM code, e.g. M54.5.")
    label: str = strawberry.field(description="Preferred name.")
    aliases: list[str] = strawberry.field(description="Other names letters use.")
    icd9_codes: list[str] = strawberry.field(
        description="ICD-9-CM codes of the same diagnosis (before 2015-10-01)."
    )
    body_regions: list[str] = strawberry.field(
        description="Body regions of the diagnosis (LowBack, Neck, ...)."
    )
    valid_from: date | None = strawberry.field(
        description="First date the ICD-10-CM code was valid."
    )
    valid_until: date | None = strawberry.field(
        description="Date the code was retired (null = still valid)."
    )
    sources: list[str] = strawberry.field(description=SOURCES)
    confidence: str | None = strawberry.field(description=CONFIDENCE)
    broader_ids: strawberry.Private[tuple[str, ...]]
    replaced_by_ids: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_domain(cls, c: m.Condition) -> Condition:
        return cls(
            id=strawberry.ID(c.id),
            code=c.icd10,
            label=c.label,
            aliases=list(c.aliases),
            icd9_codes=list(c.icd9),
            body_regions=list(c.body_regions),
            valid_from=c.valid_from,
            valid_until=c.valid_until,
            sources=list(c.provenance.sources),
            confidence=c.provenance.confidence,
            broader_ids=c.broader,
            replaced_by_ids=c.replaced_by,
        )

    @classmethod
    def many(cls, index: GuidelineIndex, ids: Iterable[str]) -> list[Condition]:
        return [cls.from_domain(index.conditions[i]) for i in _pick(ids, index.conditions)]

    @strawberry.field(description="Broader diagnoses (M54.50 -> M54.5).")
    def broader(self, info: Info) -> list[Condition]:
        return Condition.many(info.context.index, self.broader_ids)

    @strawberry.field(description="Narrower diagnoses.")
    def narrower(self, info: Info) -> list[Condition]:
        return Condition.many(
            info.context.index, lookup.narrower_conditions(info.context.index, self.id)
        )

    @strawberry.field(description="The codes that replaced a retired code.")
    def replaced_by(self, info: Info) -> list[Condition]:
        return Condition.many(info.context.index, self.replaced_by_ids)

    @strawberry.field(description="Guideline sections written for this diagnosis.")
    def sections(self, info: Info) -> list[GuidelineSection]:
        return GuidelineSection.many(
            info.context.index, lookup.sections_of_condition(info.context.index, self.id)
        )


@strawberry.type(
    description="The fact that a document was part of the MTUS for an interval, by a regulation."
)
class MtusAdoption:
    id: strawberry.ID = strawberry.field(description="Stable identifier of the adoption.")
    citation_label: str = strawberry.field(
        description="How letters label the document while adopted, "
        'e.g. "MTUS CPMTG" or "MTUS ACOEM".'
    )
    regulation: str = strawberry.field(
        description="The regulation that adopted it, e.g. 8 CCR 9792.24.2."
    )
    part: str | None = strawberry.field(description="The part of the MTUS it formed, when stated.")
    effective_from: date = strawberry.field(description="First day the document was MTUS.")
    effective_until: date | None = strawberry.field(
        description="First day it was no longer MTUS (null = still in force)."
    )
    sources: list[str] = strawberry.field(description=SOURCES)
    confidence: str | None = strawberry.field(description=CONFIDENCE)

    @classmethod
    def from_domain(cls, a: m.Adoption) -> MtusAdoption:
        return cls(
            id=strawberry.ID(a.id),
            citation_label=a.citation_label,
            regulation=a.regulation,
            part=a.part,
            effective_from=a.effective_from,
            effective_until=a.effective_until,
            sources=list(a.provenance.sources),
            confidence=a.provenance.confidence,
        )


@strawberry.type(
    description="One citable guideline document: a guideline, an edition's chapter or an ODG "
    "chapter."
)
class GuidelineDocument:
    id: strawberry.ID = strawberry.field(description="Stable identifier, e.g. `doc:cpmtg-2009`.")
    label: str = strawberry.field(description="Full title of the document.")
    letter_title: str = strawberry.field(description="The title as determination letters print it.")
    aliases: list[str] = strawberry.field(description="Other titles letters use.")
    family: str = strawberry.field(
        description="Guideline family: DWC, ACOEM, ODG or OtherGuideline."
    )
    citation_label: str = strawberry.field(
        description="How letters label it outside the MTUS (ACOEM, ODG, Other)."
    )
    edition_label: str = strawberry.field(
        description='Edition as letters print it, e.g. "2nd Ed. (2004)".'
    )
    year: int | None = strawberry.field(description="Year of the edition.")
    publication_date: date | None = strawberry.field(description="Date the document was published.")
    chapter: int | None = strawberry.field(description="Chapter number within its edition, if any.")
    cite_style: CiteStyle = strawberry.field(
        description="Whether letters cite it by pages or by section name."
    )
    pages: str | None = strawberry.field(description='Page range of the document, e.g. "287-326".')
    body_regions: list[str] = strawberry.field(
        description="Body regions the document covers (Systemic = all)."
    )
    sources: list[str] = strawberry.field(description=SOURCES)
    confidence: str | None = strawberry.field(description=CONFIDENCE)
    as_of: date | None = strawberry.field(
        description="The date `isMtus` and `mtusLabel` speak of (the query's date; null = today)."
    )
    superseded_by_id: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, d: m.Document, as_of: date | None = None) -> GuidelineDocument:
        pages = (
            None
            if d.page_start is None
            else f"{d.page_start}-{d.page_end}"
            if d.page_end
            else str(d.page_start)
        )
        return cls(
            id=strawberry.ID(d.id),
            label=d.label,
            letter_title=d.letter_title,
            aliases=list(d.aliases),
            family=d.family,
            citation_label=d.citation_label,
            edition_label=d.edition_label,
            year=d.year,
            publication_date=d.publication_date,
            chapter=d.chapter,
            cite_style=CiteStyle(d.cite_style),
            pages=pages,
            body_regions=list(d.body_regions),
            sources=list(d.provenance.sources),
            confidence=d.provenance.confidence,
            as_of=as_of,
            superseded_by_id=d.superseded_by,
        )

    @strawberry.field(description="Whether the document was part of the MTUS on `asOf`.")
    def is_mtus(self, info: Info) -> bool:
        return (
            lookup.mtus_label(info.context.index, self.id, self.as_of or info.context.today)
            is not None
        )

    @strawberry.field(
        description='Its MTUS citation label on `asOf` (e.g. "MTUS CPMTG"), null when not MTUS.'
    )
    def mtus_label(self, info: Info) -> str | None:
        return lookup.mtus_label(info.context.index, self.id, self.as_of or info.context.today)

    @strawberry.field(description="Every MTUS adoption of the document, oldest first.")
    def adoptions(self, info: Info) -> list[MtusAdoption]:
        index = info.context.index
        found = sorted(
            (index.adoptions[a] for a in index.adoptions_by_document.get(self.id, ())),
            key=lambda a: a.effective_from,
        )
        return [MtusAdoption.from_domain(a) for a in found]

    @strawberry.field(description="The document's sections, in page order.")
    def sections(self, info: Info) -> list[GuidelineSection]:
        ids = lookup.filter_sections(info.context.index, lookup.SectionFilter(document=self.id))
        return GuidelineSection.many(info.context.index, ids)

    @strawberry.field(description="The later document that replaced this one, if any.")
    def superseded_by(self, info: Info) -> GuidelineDocument | None:
        document = info.context.index.documents.get(self.superseded_by_id or "")
        return GuidelineDocument.from_domain(document, self.as_of) if document else None


@strawberry.type(
    description="One checkable condition of a recommendation, in our own words (never the "
    "guideline's "
    "text). Groups combine members with all-of, any-of or at-least-n logic."
)
class Criterion:
    id: strawberry.ID = strawberry.field(description="Stable identifier, e.g. `crit:pm-myalgia`.")
    kind: str = strawberry.field(
        description="QuantityLimit, DurationLimit, FrequencyLimit, Prerequisite, "
        "Documentation, Exclusion, Indication or StatutoryCap."
    )
    text: str = strawberry.field(description="The criterion in plain words.")
    max_units: float | None = strawberry.field(
        description="Most units allowed (visits, injections, days)."
    )
    min_units: float | None = strawberry.field(
        description='Fewest units of a range ("9-10 visits").'
    )
    unit: str | None = strawberry.field(description="What the units count, e.g. visits.")
    per_weeks: float | None = strawberry.field(
        description="The number of weeks the units are spread over."
    )
    max_weeks: float | None = strawberry.field(
        description="Longest duration of the course, in weeks."
    )
    requires_fact: str | None = strawberry.field(
        description="The clinical fact that decides the criterion "
        "(a key of ClinicalFactsInput, snake_case)."
    )
    logic: str | None = strawberry.field(description="For a group: AllOf, AnyOf or AtLeast.")
    at_least: int | None = strawberry.field(
        description="For an AtLeast group: how many members must be met."
    )
    legal_basis: str | None = strawberry.field(
        description="For a statutory cap: the statute, e.g. LC 4604.5."
    )
    sources: list[str] = strawberry.field(description=SOURCES)
    member_ids: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_domain(cls, c: m.Criterion) -> Criterion:
        return cls(
            id=strawberry.ID(c.id),
            kind=c.kind,
            text=c.text,
            max_units=c.max_units,
            min_units=c.min_units,
            unit=c.unit,
            per_weeks=c.per_weeks,
            max_weeks=c.max_weeks,
            requires_fact=c.requires_fact,
            logic=c.logic,
            at_least=c.at_least,
            legal_basis=c.legal_basis,
            sources=list(c.provenance.sources),
            member_ids=c.members,
        )

    @classmethod
    def many(cls, index: GuidelineIndex, ids: Iterable[str]) -> list[Criterion]:
        return [cls.from_domain(index.criteria[i]) for i in _pick(ids, index.criteria)]

    @strawberry.field(description="For a group: its member criteria.")
    def members(self, info: Info) -> list[Criterion]:
        return Criterion.many(info.context.index, self.member_ids)


@strawberry.type(
    description="A topic inside a guideline document, with what it recommends and its criteria."
)
class GuidelineSection:
    id: strawberry.ID = strawberry.field(
        description="Stable identifier, e.g. `sec:cpmtg-2009-physical-medicine`."
    )
    title: str = strawberry.field(description="The section's title.")
    aliases: list[str] = strawberry.field(description="Other titles letters use for it.")
    number: str | None = strawberry.field(
        description="Section number in the document, if it has one."
    )
    pages: str | None = strawberry.field(description='Pages as letters cite them, e.g. "98-99".')
    page_start: int | None = strawberry.field(description="First page.")
    page_end: int | None = strawberry.field(description="Last page.")
    body_regions: list[str] = strawberry.field(
        description="Body regions the section is about (Systemic = any)."
    )
    phases: list[Phase] = strawberry.field(
        description="Phases of care it is written for (empty = any)."
    )
    recommendation: Recommendation = strawberry.field(
        description="What it says of the treatments it addresses."
    )
    evidence_grade: str | None = strawberry.field(
        description="The guideline's own evidence grade, when given."
    )
    summary: str | None = strawberry.field(description="A short summary in our own words.")
    sources: list[str] = strawberry.field(description=SOURCES)
    confidence: str | None = strawberry.field(description=CONFIDENCE)
    cited_in_letters: list[str] = strawberry.field(
        description="Determination letters seen citing this section."
    )
    document_id: strawberry.Private[str]
    address_ids: strawberry.Private[tuple[str, ...]]
    condition_ids: strawberry.Private[tuple[str, ...]]
    criterion_ids: strawberry.Private[tuple[str, ...]]
    parent_id: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, s: m.Section) -> GuidelineSection:
        return cls(
            id=strawberry.ID(s.id),
            title=s.label,
            aliases=list(s.aliases),
            number=s.number,
            pages=s.pages,
            page_start=s.page_start,
            page_end=s.page_end,
            body_regions=list(s.body_regions),
            phases=[Phase(p) for p in s.phases],
            recommendation=Recommendation(s.recommendation),
            evidence_grade=s.evidence_grade,
            summary=s.summary,
            sources=list(s.provenance.sources),
            confidence=s.provenance.confidence,
            cited_in_letters=list(s.cited_in),
            document_id=s.document_id,
            address_ids=s.addresses,
            condition_ids=s.applies_to,
            criterion_ids=s.criteria,
            parent_id=s.parent,
        )

    @classmethod
    def many(cls, index: GuidelineIndex, ids: Iterable[str]) -> list[GuidelineSection]:
        return [cls.from_domain(index.sections[i]) for i in _pick(ids, index.sections)]

    @strawberry.field(description="The document the section belongs to.")
    def document(self, info: Info) -> GuidelineDocument:
        return GuidelineDocument.from_domain(info.context.index.documents[self.document_id])

    @strawberry.field(description="Treatments the section addresses.")
    def addresses(self, info: Info) -> list[Treatment]:
        return Treatment.many(info.context.index, self.address_ids)

    @strawberry.field(
        description="Diagnoses the section is written for (empty = not limited to any)."
    )
    def applies_to(self, info: Info) -> list[Condition]:
        return Condition.many(info.context.index, self.condition_ids)

    @strawberry.field(
        description="Criteria a request must meet under this section, as the graph records them."
    )
    def criteria(self, info: Info) -> list[Criterion]:
        return Criterion.many(info.context.index, self.criterion_ids)

    @strawberry.field(
        description="The broader section this one sits in (Cyclobenzaprine -> Muscle relaxants)."
    )
    def parent(self, info: Info) -> GuidelineSection | None:
        section = info.context.index.sections.get(self.parent_id or "")
        return GuidelineSection.from_domain(section) if section else None


@strawberry.type(description="A drug's entry on one version of the MTUS Drug List.")
class FormularyEntry:
    id: strawberry.ID = strawberry.field(description="Stable identifier of the entry.")
    status: DrugListStatus = strawberry.field(description="Exempt or Non-Exempt.")
    special_fill_days: int | None = strawberry.field(
        description="Days supply allowed under Special Fill, if any."
    )
    perioperative_fill_days: int | None = strawberry.field(
        description="Days supply allowed under Perioperative Fill, if any."
    )
    list_version: str | None = strawberry.field(description="Version of the MTUS Drug List.")
    effective_from: date = strawberry.field(description="First day the entry applied.")
    effective_until: date | None = strawberry.field(
        description="First day it no longer applied (null = current)."
    )
    sources: list[str] = strawberry.field(description=SOURCES)
    confidence: str | None = strawberry.field(description=CONFIDENCE)

    @classmethod
    def from_domain(cls, e: m.FormularyEntry, index: GuidelineIndex) -> FormularyEntry:
        version = index.list_versions.get(e.list_version_id)
        return cls(
            id=strawberry.ID(e.id),
            status=DrugListStatus(e.status),
            special_fill_days=e.special_fill_days,
            perioperative_fill_days=e.perioperative_fill_days,
            list_version=version.version if version else None,
            effective_from=e.effective_from,
            effective_until=e.effective_until,
            sources=list(e.provenance.sources),
            confidence=e.provenance.confidence,
        )
