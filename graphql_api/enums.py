"""Closed vocabularies of the API. Python values are the ontology's local names (STYLE.md G5)."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=Enum)


def by_value(kind: type[E]) -> dict[object, E]:
    """An enum's members by value. On the resolve path a dict lookup replaces `Kind(value)`, which
    costs ten times as much and runs a dozen times per service answered."""
    return {member.value: member for member in kind}


@strawberry.enum(description="What the resolver could decide about one requested service.")
class Outcome(Enum):
    RESOLVED = strawberry.enum_value(
        "RESOLVED", description="A guideline section governs the service; see `governing`."
    )
    NOT_ADDRESSED = strawberry.enum_value(
        "NOT_ADDRESSED",
        description="The service is known, but no guideline in force on the date addresses it: "
        "decide on peer-reviewed evidence.",
    )
    UNKNOWN_SERVICE = strawberry.enum_value(
        "UNKNOWN_SERVICE",
        description="The text matches no treatment of the graph; see `suggestions`.",
    )
    AMBIGUOUS = strawberry.enum_value(
        "AMBIGUOUS",
        description="The text matches several treatments equally well; pick one of `suggestions` "
        "and pass its id.",
    )


@strawberry.enum(description="Whether the facts given meet one criterion of the governing section.")
class CriterionStatus(Enum):
    MET = strawberry.enum_value("MET", description="The facts given meet the criterion.")
    NOT_MET = strawberry.enum_value(
        "NOT_MET", description="The facts given do not meet the criterion."
    )
    INSUFFICIENT_INFORMATION = strawberry.enum_value(
        "INSUFFICIENT_INFORMATION",
        description="The facts given cannot decide it; `needs` names what is missing.",
    )


@strawberry.enum(description="What a guideline section says of the treatment it addresses.")
class Recommendation(Enum):
    RECOMMENDED = strawberry.enum_value(
        "Recommended", description="Recommended for the conditions addressed."
    )
    RECOMMENDED_WITH_CONDITIONS = strawberry.enum_value(
        "RecommendedWithConditions", description="Recommended when the section's criteria are met."
    )
    NOT_RECOMMENDED = strawberry.enum_value("NotRecommended", description="Not recommended.")
    NO_RECOMMENDATION = strawberry.enum_value(
        "NoRecommendation", description="The evidence is insufficient to recommend for or against."
    )


@strawberry.enum(
    description="Phase of care, which decides between the chronic pain guideline, the body-part "
    "chapters and the post-surgical guideline."
)
class Phase(Enum):
    ACUTE = strawberry.enum_value("Acute", description="The first weeks after the injury.")
    SUBACUTE = strawberry.enum_value(
        "Subacute", description="After the acute weeks, before pain is chronic."
    )
    CHRONIC = strawberry.enum_value(
        "Chronic",
        description="Pain lasting 3 months or more, or beyond the expected healing time (8 CCR "
        "9792.20).",
    )
    POST_SURGICAL = strawberry.enum_value(
        "PostSurgical",
        description="Within the post-surgical physical medicine period after a surgery "
        "(8 CCR 9792.24.3).",
    )


OUTCOME = by_value(Outcome)
CRITERION_STATUS = by_value(CriterionStatus)
RECOMMENDATION = by_value(Recommendation)
PHASE = by_value(Phase)

# Phase enum -> the phase word kg.resolve.request.Facts takes.
PHASE_FACT = {
    Phase.ACUTE: "acute",
    Phase.SUBACUTE: "subacute",
    Phase.CHRONIC: "chronic",
    Phase.POST_SURGICAL: "postsurgical",
}


@strawberry.enum(description="How letters cite a document: by pages or by section name.")
class CiteStyle(Enum):
    PAGE = strawberry.enum_value(
        "Page", description="Cited by page numbers (CPMTG 2009, ACOEM 2nd Ed. 2004)."
    )
    SECTION_NAME = strawberry.enum_value(
        "SectionName",
        description="Cited by section or topic name (CPMTG 2016, ODG, ACOEM after 2017).",
    )


@strawberry.enum(description="Status of a drug on the MTUS Drug List (8 CCR 9792.27.1 ff.).")
class DrugListStatus(Enum):
    EXEMPT = strawberry.enum_value(
        "Exempt",
        description="May be dispensed without prospective review when used as the MTUS recommends.",
    )
    NON_EXEMPT = strawberry.enum_value(
        "NonExempt",
        description="Needs prospective review before dispensing, except under Special or "
        "Perioperative Fill.",
    )
    UNLISTED = strawberry.enum_value(
        "Unlisted",
        description="Not on the list version in force: prospective review before dispensing.",
    )


@strawberry.enum(description="The three guideline sources a reviewer compares.")
class GuidelineSource(Enum):
    MTUS = strawberry.enum_value(
        "MTUS", description="The MTUS in force on the date, presumed correct (LC 4604.5)."
    )
    ACOEM = strawberry.enum_value(
        "ACOEM", description="ACOEM Practice Guidelines (inside or outside the MTUS)."
    )
    ODG = strawberry.enum_value(
        "ODG", description="Official Disability Guidelines (never part of the MTUS)."
    )


@strawberry.enum(description="What a node of a neighbourhood picture is.")
class NodeKind(Enum):
    TREATMENT = strawberry.enum_value(
        "treatment", description="A treatment (service, drug, procedure)."
    )
    SECTION = strawberry.enum_value("section", description="A guideline section.")
    DOCUMENT = strawberry.enum_value("document", description="A guideline document.")
    CONDITION = strawberry.enum_value("condition", description="A diagnosis.")


@strawberry.enum(
    description="How two nodes of a neighbourhood picture are related (source to target)."
)
class Relation(Enum):
    ADDRESSES = strawberry.enum_value(
        "addresses", description="The section addresses the treatment."
    )
    IN_DOCUMENT = strawberry.enum_value(
        "in_document", description="The section belongs to the document."
    )
    APPLIES_TO = strawberry.enum_value(
        "applies_to", description="The section applies to the condition."
    )
    BROADER = strawberry.enum_value(
        "broader", description="The source is a narrower kind of the target."
    )
    PARENT_SECTION = strawberry.enum_value(
        "parent_section", description="The source section sits inside the target section."
    )
