"""Closed namespaces: a misspelt ontology term is an AttributeError, not a new IRI."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/guideline-kg/"


class GL(DefinedNamespace):
    """The guideline-kg ontology (ontology/guideline.ttl)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    GuidelineFamily: URIRef
    GuidelineEdition: URIRef
    GuidelineDocument: URIRef
    MtusAdoption: URIRef
    GuidelineSection: URIRef
    Criterion: URIRef
    CriterionGroup: URIRef
    StatutoryOverlay: URIRef
    Condition: URIRef
    Treatment: URIRef
    FormularyEntry: URIRef
    DrugListVersion: URIRef
    EvidenceStep: URIRef
    CitationCount: URIRef
    BodyRegion: URIRef
    Phase: URIRef
    Recommendation: URIRef
    CriterionKind: URIRef
    LogicOperator: URIRef
    ClinicalFact: URIRef
    TreatmentKind: URIRef
    Route: URIRef
    Confidence: URIRef
    CiteStyle: URIRef
    FormularyStatus: URIRef
    # properties
    confidence: URIRef
    note: URIRef
    publisher: URIRef
    family: URIRef
    edition: URIRef
    editionLabel: URIRef
    editionYear: URIRef
    publicationDate: URIRef
    chapterNumber: URIRef
    letterTitle: URIRef
    citationLabel: URIRef
    citeStyle: URIRef
    pageStart: URIRef
    pageEnd: URIRef
    gradingScheme: URIRef
    sourceUrl: URIRef
    bodyRegion: URIRef
    supersededBy: URIRef
    devotedTo: URIRef
    inheritedFrom: URIRef
    adopts: URIRef
    regulation: URIRef
    effectiveFrom: URIRef
    effectiveUntil: URIRef
    mtusPart: URIRef
    inDocument: URIRef
    parentSection: URIRef
    addresses: URIRef
    mentions: URIRef
    appliesTo: URIRef
    phase: URIRef
    recommendation: URIRef
    evidenceGrade: URIRef
    summary: URIRef
    hasCriterion: URIRef
    sectionNumber: URIRef
    citedInLetters: URIRef
    criterionKind: URIRef
    text: URIRef
    maxUnits: URIRef
    minUnits: URIRef
    unit: URIRef
    perWeeks: URIRef
    maxWeeks: URIRef
    requiresFact: URIRef
    expectedValue: URIRef
    forCondition: URIRef
    excludesTreatment: URIRef
    logic: URIRef
    atLeast: URIRef
    member: URIRef
    legalBasis: URIRef
    appliesToTreatment: URIRef
    exceptPhase: URIRef
    injuryOnOrAfter: URIRef
    factKey: URIRef
    factType: URIRef
    icd10Code: URIRef
    icd9Code: URIRef
    codeValidFrom: URIRef
    codeValidUntil: URIRef
    replacedBy: URIRef
    treatmentKind: URIRef
    rxcui: URIRef
    route: URIRef
    hasIngredient: URIRef
    topicalForm: URIRef
    brandName: URIRef
    drug: URIRef
    formularyStatus: URIRef
    specialFillDays: URIRef
    perioperativeFillDays: URIRef
    listVersion: URIRef
    versionNumber: URIRef
    stepOrder: URIRef
    countedTreatment: URIRef
    citedFamily: URIRef
    itemCount: URIRef
    includesFamily: URIRef
    isMtusStep: URIRef
    searchRule: URIRef
    # individuals of closed vocabularies that code branches on
    Page: URIRef
    SectionName: URIRef
    AllOf: URIRef
    AnyOf: URIRef
    AtLeast: URIRef


# Data namespaces; public ids are CURIEs in these prefixes ("tx:cyclobenzaprine").
PREFIXES: dict[str, str] = {
    "ed": BASE + "id/edition/",
    "doc": BASE + "id/document/",
    "adopt": BASE + "id/adoption/",
    "sec": BASE + "id/section/",
    "crit": BASE + "id/criterion/",
    "cond": BASE + "id/condition/",
    "tx": BASE + "id/treatment/",
    "form": BASE + "id/formulary/",
    "step": BASE + "id/step/",
    "count": BASE + "id/citation-count/",
    "gl": BASE + "ontology#",
}


def curie(iri: str) -> str:
    """Shorten an IRI to the project's CURIE form.

    >>> curie("https://w3id.org/guideline-kg/id/treatment/cyclobenzaprine")
    'tx:cyclobenzaprine'
    """
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def expand(value: str) -> str:
    """Expand a CURIE of the project's prefixes to its IRI; other strings pass through."""
    prefix, sep, rest = value.partition(":")
    if sep and prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    return value
