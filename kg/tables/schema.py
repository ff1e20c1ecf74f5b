"""The layout of the source tables: one `Table` per kind of row, one `Column` per property.

A column maps a cell to the objects of one predicate. Kinds of cell:

* ``ref``    an id; written without its prefix when it has the column's default prefix
             (``Chronic`` for ``gl:Chronic``, ``physical-therapy`` for ``tx:physical-therapy``),
             or as a CURIE (``cond:M54.16``)
* ``text``   a string in our own words (never guideline prose)
* ``int``    a whole number; ``number`` a number written as Turtle writes it (``8``, ``2.5``)
* ``date``   YYYY-MM-DD; ``bool`` true or false

A column marked ``many`` holds several values separated by `` | ``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDFS, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.namespaces import GL

SEPARATOR = " | "
CONFIDENCE_MARKS = ("V2plus", "V1", "REQ", "LETTERS", "U")
VERIFIED = "verified"  # a confidence cell that says: checked against the regulation, no mark


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    predicate: URIRef | None  # None: a column the compiler reads itself (id, file, inherits)
    kind: str = "text"  # ref, text, int, number, date, bool
    prefix: str = ""  # default prefix of a ref
    many: bool = False
    required: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # file stem: <name>.tsv
    cls: URIRef | None  # rdf:type of its rows (None: decided per row, see criteria)
    prefix: str  # prefix of its ids
    columns: tuple[Column, ...]
    file: str | None = None  # the Turtle file its rows go to (None: derived, see compile.py)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _id(prefix: str) -> Column:
    return Column("id", None, "ref", prefix, required=True)


def _ref(
    name: str, predicate: URIRef, prefix: str, many: bool = False, required: bool = False
) -> Column:
    return Column(name, predicate, "ref", prefix, many, required)


def _text(name: str, predicate: URIRef, many: bool = False, required: bool = False) -> Column:
    return Column(name, predicate, "text", "", many, required)


def _typed(name: str, predicate: URIRef, kind: str) -> Column:
    return Column(name, predicate, kind)


LABEL = _text("label", RDFS.label, required=True)
ALT_LABELS = _text("alt_labels", SKOS.altLabel, many=True)
NOTE = _text("note", GL.note)
CITED = _text("cited_in_letters", GL.citedInLetters, many=True)
REGIONS = _ref("body_regions", GL.bodyRegion, "gl", many=True)
PHASES = _ref("phases", GL.phase, "gl", many=True)
SOURCE = _text("source", DCTERMS.source, required=True)
CONFIDENCE = Column("confidence", GL.confidence, "ref", "gl", required=True)
PROVENANCE = (SOURCE, CONFIDENCE)

EDITIONS = Table(
    "editions",
    GL.GuidelineEdition,
    "ed",
    (
        _id("ed"),
        Column("file", None, required=True),
        LABEL,
        ALT_LABELS,
        _ref("family", GL.family, "gl", required=True),
        _text("publisher", GL.publisher),
        _text("edition_label", GL.editionLabel),
        _typed("year", GL.editionYear, "int"),
        _typed("publication_date", GL.publicationDate, "date"),
        _text("grading_scheme", GL.gradingScheme),
        NOTE,
        CITED,
        *PROVENANCE,
    ),
)

DOCUMENTS = Table(
    "documents",
    GL.GuidelineDocument,
    "doc",
    (
        _id("doc"),
        _ref("edition", GL.edition, "ed", required=True),
        LABEL,
        ALT_LABELS,
        _text("letter_title", GL.letterTitle),
        _ref("family", GL.family, "gl", required=True),
        _text("citation_label", GL.citationLabel),
        _ref("cite_style", GL.citeStyle, "gl"),
        _typed("publication_date", GL.publicationDate, "date"),
        _typed("chapter", GL.chapterNumber, "int"),
        _typed("page_start", GL.pageStart, "int"),
        _typed("page_end", GL.pageEnd, "int"),
        REGIONS,
        PHASES,
        _ref("devoted_to", GL.devotedTo, "tx", many=True),
        _ref("superseded_by", GL.supersededBy, "doc"),
        _text("grading_scheme", GL.gradingScheme),
        NOTE,
        CITED,
        *PROVENANCE,
    ),
)

ADOPTIONS = Table(
    "adoptions",
    GL.MtusAdoption,
    "adopt",
    (
        _id("adopt"),
        _ref("document", GL.adopts, "doc", required=True),
        LABEL,
        _text("citation_label", GL.citationLabel),
        _text("regulation", GL.regulation),
        _text("mtus_part", GL.mtusPart),
        _typed("effective_from", GL.effectiveFrom, "date"),
        _typed("effective_until", GL.effectiveUntil, "date"),
        NOTE,
        *PROVENANCE,
    ),
)

SECTIONS = Table(
    "sections",
    GL.GuidelineSection,
    "sec",
    (
        _id("sec"),
        _ref("document", GL.inDocument, "doc", required=True),
        LABEL,
        ALT_LABELS,
        _text("number", GL.sectionNumber),
        _ref("parent", GL.parentSection, "sec", many=True),
        _typed("page_start", GL.pageStart, "int"),
        _typed("page_end", GL.pageEnd, "int"),
        _ref("addresses", GL.addresses, "tx", many=True),
        _ref("mentions", GL.mentions, "tx", many=True),
        _ref("applies_to", GL.appliesTo, "cond", many=True),
        REGIONS,
        PHASES,
        _ref("recommendation", GL.recommendation, "gl"),
        _text("evidence_grade", GL.evidenceGrade),
        _text("summary", GL.summary),
        _ref("criteria", GL.hasCriterion, "crit", many=True),
        CITED,
        NOTE,
        *PROVENANCE,
    ),
)

CRITERIA = Table(
    "criteria",
    None,
    "crit",
    (
        _id("crit"),
        _ref("kind", GL.criterionKind, "gl", required=True),
        _text("text", GL.text, required=True),
        _ref("logic", GL.logic, "gl"),  # a row with a logic is a gl:CriterionGroup
        _typed("at_least", GL.atLeast, "int"),
        _ref("members", GL.member, "crit", many=True),
        _typed("min_units", GL.minUnits, "number"),
        _typed("max_units", GL.maxUnits, "number"),
        _text("unit", GL.unit),
        _typed("per_weeks", GL.perWeeks, "number"),
        _typed("max_weeks", GL.maxWeeks, "number"),
        _ref("requires_fact", GL.requiresFact, "gl", many=True),
        _typed("expected_value", GL.expectedValue, "bool"),
        _ref("for_condition", GL.forCondition, "cond", many=True),
        _ref("excludes_treatment", GL.excludesTreatment, "tx", many=True),
        NOTE,
        *PROVENANCE,
    ),
)

OVERLAYS = Table(
    "overlays",
    GL.StatutoryOverlay,
    "crit",
    (
        _id("crit"),
        _ref("kind", GL.criterionKind, "gl", required=True),
        _text("text", GL.text, required=True),
        _ref("treatments", GL.appliesToTreatment, "tx", many=True),
        _ref("except_phases", GL.exceptPhase, "gl", many=True),
        _typed("injury_on_or_after", GL.injuryOnOrAfter, "date"),
        _text("legal_basis", GL.legalBasis),
        _typed("max_units", GL.maxUnits, "number"),
        _text("unit", GL.unit),
        _ref("requires_fact", GL.requiresFact, "gl", many=True),
        NOTE,
        *PROVENANCE,
    ),
    file="legal.ttl",
)

EVIDENCE_STEPS = Table(
    "evidence_steps",
    GL.EvidenceStep,
    "step",
    (
        _id("step"),
        LABEL,
        _typed("order", GL.stepOrder, "int"),
        _typed("is_mtus", GL.isMtusStep, "bool"),
        _ref("families", GL.includesFamily, "gl", many=True),
        _text("legal_basis", GL.legalBasis),
        _text("rule", GL.searchRule),
        _typed("effective_from", GL.effectiveFrom, "date"),
        _typed("effective_until", GL.effectiveUntil, "date"),
        NOTE,
        *PROVENANCE,
    ),
    file="legal.ttl",
)

# What reviewers of the tuning letters cite for a kind of service (issue 14): generated by
# eval/make_citation_counts.py, never edited by hand.
CITATION_COUNTS = Table(
    "citation_counts",
    GL.CitationCount,
    "count",
    (
        _id("count"),
        LABEL,
        _ref("treatment", GL.countedTreatment, "tx"),
        _ref("family", GL.citedFamily, "gl", required=True),
        _typed("items", GL.itemCount, "int"),
        NOTE,
        *PROVENANCE,
    ),
    file="citation_counts.ttl",
)

CONDITIONS = Table(
    "conditions",
    GL.Condition,
    "cond",
    (
        _id("cond"),
        LABEL,
        ALT_LABELS,
        _text("icd10", GL.icd10Code),
        _text("icd9", GL.icd9Code, many=True),
        REGIONS,
        _ref("broader", SKOS.broader, "cond", many=True),
        _typed("valid_from", GL.codeValidFrom, "date"),
        _typed("valid_until", GL.codeValidUntil, "date"),
        _ref("replaced_by", GL.replacedBy, "cond", many=True),
        NOTE,
        *PROVENANCE,
    ),
    file="conditions.ttl",
)

TREATMENTS = Table(
    "treatments",
    GL.Treatment,
    "tx",
    (
        _id("tx"),
        LABEL,
        ALT_LABELS,
        _text("brand_names", GL.brandName, many=True),
        _ref("kind", GL.treatmentKind, "gl", required=True),
        _ref("routes", GL.route, "gl", many=True),
        _text("rxcui", GL.rxcui),
        _ref("broader", SKOS.broader, "tx", many=True),
        _ref("ingredients", GL.hasIngredient, "tx", many=True),
        _ref("topical_form", GL.topicalForm, "tx"),
        REGIONS,
        CITED,
        NOTE,
        *PROVENANCE,
    ),
    file="treatments.ttl",
)

DRUG_LIST_VERSIONS = Table(
    "drug_list_versions",
    GL.DrugListVersion,
    "form",
    (
        _id("form"),
        LABEL,
        _text("version", GL.versionNumber),
        _typed("effective_from", GL.effectiveFrom, "date"),
        _typed("effective_until", GL.effectiveUntil, "date"),
        NOTE,
        *PROVENANCE,
    ),
    file="formulary.ttl",
)

FORMULARY = Table(
    "formulary",
    GL.FormularyEntry,
    "form",
    (
        _id("form"),
        LABEL,
        _ref("drug", GL.drug, "tx", required=True),
        _ref("status", GL.formularyStatus, "gl", required=True),
        _ref("list_version", GL.listVersion, "form"),
        _typed("effective_from", GL.effectiveFrom, "date"),
        _typed("effective_until", GL.effectiveUntil, "date"),
        _typed("special_fill_days", GL.specialFillDays, "int"),
        _typed("perioperative_fill_days", GL.perioperativeFillDays, "int"),
        NOTE,
        *PROVENANCE,
    ),
    file="formulary.ttl",
)

# An edition not known to differ from its predecessor: one row instead of copied sections.
# Not a class of the graph; kg/tables/inherit.py expands it into sections and criteria.
INHERITANCE = Table(
    "inheritance",
    None,
    "doc",
    (
        Column("document", None, "ref", "doc", required=True),
        Column("inherits_from", None, "ref", "doc", required=True),
        NOTE,
        SOURCE,
        Column("confidence", None, "ref", "gl", required=True),
    ),
)

# In the order the compiler reads them (a row may only be placed in a file once the rows it
# hangs from are known: documents after editions, sections after documents ...).
TABLES = (
    EDITIONS,
    DOCUMENTS,
    ADOPTIONS,
    SECTIONS,
    CRITERIA,
    OVERLAYS,
    EVIDENCE_STEPS,
    CONDITIONS,
    TREATMENTS,
    DRUG_LIST_VERSIONS,
    FORMULARY,
    CITATION_COUNTS,
)
BY_NAME = {t.name: t for t in TABLES}
