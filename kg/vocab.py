"""The ontology's closed vocabularies as enums: the one place the code names a phase, a kind of
treatment, a recommendation or a region. Each member's value is the local name of its individual
in ontology/guideline.ttl (gl:PostSurgical is Phase.POST_SURGICAL == "PostSurgical"), so the index
keeps plain strings and compares them with members; `mismatches` holds the two to each other
(tests/test_vocab.py, and `guideline-kg validate`).
"""

from __future__ import annotations

from enum import StrEnum

from rdflib import RDF, Graph, URIRef

GL = "https://w3id.org/guideline-kg/ontology#"


class Phase(StrEnum):
    """The phase of a case (gl:Phase)."""

    ACUTE = "Acute"
    CHRONIC = "Chronic"
    POST_SURGICAL = "PostSurgical"
    SUBACUTE = "Subacute"


class Recommendation(StrEnum):
    """What a section recommends (gl:Recommendation)."""

    NO_RECOMMENDATION = "NoRecommendation"
    NOT_RECOMMENDED = "NotRecommended"
    RECOMMENDED = "Recommended"
    RECOMMENDED_WITH_CONDITIONS = "RecommendedWithConditions"


class TreatmentKind(StrEnum):
    """What kind of service a treatment is (gl:TreatmentKind)."""

    COMPOUNDED_PRODUCT = "CompoundedProduct"
    CONSULTATION = "Consultation"
    DME = "DME"
    DRUG = "Drug"
    DRUG_CLASS = "DrugClass"
    ELECTRODIAGNOSTIC = "Electrodiagnostic"
    HOME_CARE = "HomeCare"
    IMAGING = "Imaging"
    INJECTION = "Injection"
    PROCEDURE = "Procedure"
    PROGRAM = "Program"
    SERVICE_CATEGORY = "ServiceCategory"
    SURGERY = "Surgery"
    TEST = "Test"
    THERAPY = "Therapy"


class Route(StrEnum):
    """How a drug is given (gl:Route)."""

    INJECTED = "Injected"
    ORAL = "Oral"
    TOPICAL = "Topical"
    TRANSDERMAL = "Transdermal"


class BodyRegion(StrEnum):
    """A body region of a chapter, section or case (gl:BodyRegion)."""

    ABDOMEN = "Abdomen"
    ANKLE_FOOT = "AnkleFoot"
    ELBOW = "Elbow"
    EYE = "Eye"
    FOREARM_WRIST_HAND = "ForearmWristHand"
    HEAD = "Head"
    HIP_PELVIS = "HipPelvis"
    KNEE = "Knee"
    LOW_BACK = "LowBack"
    MENTAL = "Mental"
    NECK = "Neck"
    PULMONARY = "Pulmonary"
    SHOULDER = "Shoulder"
    SYSTEMIC = "Systemic"
    THORACIC_SPINE = "ThoracicSpine"


class CriterionKind(StrEnum):
    """The kind of a criterion (gl:CriterionKind)."""

    DOCUMENTATION = "Documentation"
    DURATION_LIMIT = "DurationLimit"
    EXCLUSION = "Exclusion"
    FREQUENCY_LIMIT = "FrequencyLimit"
    INDICATION = "Indication"
    PREREQUISITE = "Prerequisite"
    QUANTITY_LIMIT = "QuantityLimit"
    STATUTORY_CAP = "StatutoryCap"


class CiteStyle(StrEnum):
    """How letters cite a document (gl:CiteStyle)."""

    PAGE = "Page"
    SECTION_NAME = "SectionName"


class FormularyStatus(StrEnum):
    """A drug's MTUS Drug List status (gl:FormularyStatus)."""

    EXEMPT = "Exempt"
    NON_EXEMPT = "NonExempt"
    UNLISTED = "Unlisted"


class Confidence(StrEnum):
    """How well a fact is verified (gl:Confidence)."""

    LETTERS = "LETTERS"
    REQ = "REQ"
    U = "U"
    V1 = "V1"
    V2PLUS = "V2plus"


class LogicOperator(StrEnum):
    """How a criterion group combines its members (gl:LogicOperator)."""

    ALL_OF = "AllOf"
    ANY_OF = "AnyOf"
    AT_LEAST = "AtLeast"


class Family(StrEnum):
    """A guideline family (gl:GuidelineFamily)."""

    ACOEM = "ACOEM"
    DWC = "DWC"
    MTUS = "MTUS"
    ODG = "ODG"
    OTHER_GUIDELINE = "OtherGuideline"
    PEER_REVIEWED_EVIDENCE = "PeerReviewedEvidence"


# each enum and the ontology class whose individuals it names
CLASSES: dict[type[StrEnum], str] = {
    Phase: "Phase",
    Recommendation: "Recommendation",
    TreatmentKind: "TreatmentKind",
    Route: "Route",
    BodyRegion: "BodyRegion",
    CriterionKind: "CriterionKind",
    CiteStyle: "CiteStyle",
    FormularyStatus: "FormularyStatus",
    Confidence: "Confidence",
    LogicOperator: "LogicOperator",
    Family: "GuidelineFamily",
}


def mismatches(ontology: Graph) -> list[str]:
    """Where an enum and its ontology class disagree: a member with no individual, or an
    individual with no member (a closed vocabulary grown on one side only)."""
    found = []
    for enum, name in CLASSES.items():
        individuals = {
            str(s).removeprefix(GL) for s in ontology.subjects(RDF.type, URIRef(GL + name))
        }
        members = {m.value for m in enum}
        found += [
            f"{enum.__name__}.{v} is not a gl:{name} of the ontology"
            for v in sorted(members - individuals)
        ]
        found += [
            f"gl:{v} (a gl:{name}) has no member in kg.vocab.{enum.__name__}"
            for v in sorted(individuals - members)
        ]
    return found
