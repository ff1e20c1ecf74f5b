"""The drug parts of a service resolution: MTUS Drug List standing and opioid dose (MME)."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from graphql_api.enums import CRITERION_STATUS, CriterionStatus
from kg.drug_list import DrugListStatus as KgDrugListStatus
from kg.mme import OpioidDose as KgOpioidDose


@strawberry.enum(description="A requested drug's standing on the MTUS Drug List on the date.")
class DrugListStanding(Enum):
    EXEMPT = strawberry.enum_value(
        "EXEMPT", description="No prospective review when prescribed as the MTUS recommends."
    )
    NON_EXEMPT = strawberry.enum_value(
        "NON_EXEMPT",
        description="Prospective review before dispensing, unless Special or Perioperative Fill "
        "applies.",
    )
    UNLISTED = strawberry.enum_value(
        "UNLISTED", description="Not on the list version in force: prospective review."
    )
    COMPOUNDED = strawberry.enum_value(
        "COMPOUNDED",
        description="A compounded drug: prospective review whatever its ingredients' status "
        "(8 CCR 9792.27.9).",
    )
    NOT_KNOWN = strawberry.enum_value(
        "NOT_KNOWN",
        description="The graph holds no verified entry for the date; `recordedStatus` shows what "
        "an unverified entry records. Never a guess shown as fact.",
    )
    NO_FORMULARY = strawberry.enum_value(
        "NO_FORMULARY", description="Before 2018-01-01 no MTUS Drug List applied."
    )


@strawberry.type(description="What the MTUS Drug List says of a requested drug on the date.")
class DrugListAnswer:
    standing: DrugListStanding = strawberry.field(description="The drug's standing.")
    text: str = strawberry.field(description="The standing in one plain sentence, with the rule.")
    list_version: str | None = strawberry.field(
        description="The list version in force on the date as far as the graph knows (e.g. 3)."
    )
    list_version_from: date | None = strawberry.field(
        description="The day that version took effect."
    )
    entry_drug: str | None = strawberry.field(
        description="The drug the list entry is about (oxycodone for oxycodone ER)."
    )
    recorded_status: str | None = strawberry.field(
        description="For NOT_KNOWN: the status an unverified entry records (Exempt, NonExempt)."
    )
    special_fill_days: int | None = strawberry.field(
        description="Days supply allowed without review at the first visit (Special Fill)."
    )
    perioperative_fill_days: int | None = strawberry.field(
        description="Days supply allowed without review around surgery (Perioperative Fill)."
    )
    prospective_review: bool | None = strawberry.field(
        description="Whether prospective review is needed before dispensing (null = not known)."
    )
    sources: list[str] = strawberry.field(description="Where the standing comes from.")
    confidence: str | None = strawberry.field(
        description="How well the entry is verified (V2plus, V1, U; null = the regulation)."
    )

    @classmethod
    def from_domain(cls, s: KgDrugListStatus) -> DrugListAnswer:
        return cls(
            standing=DrugListStanding[s.standing.value],
            text=s.text,
            list_version=s.list_version,
            list_version_from=s.list_version_from,
            entry_drug=s.entry_drug,
            recorded_status=s.recorded_status,
            special_fill_days=s.special_fill_days,
            perioperative_fill_days=s.perioperative_fill_days,
            prospective_review=s.prospective_review,
            sources=list(s.sources),
            confidence=s.confidence,
        )


@strawberry.type(description="A daily-dose threshold judged on the requested opioid dose.")
class DoseThreshold:
    label: str = strawberry.field(description="Whose threshold: an MTUS section, or CDC.")
    max_mme: float = strawberry.field(description="The limit in MME a day.")
    status: CriterionStatus = strawberry.field(
        description="MET at or under the limit (with the other opioids taken), NOT_MET over it."
    )
    needs: list[str] = strawberry.field(
        description="What would decide it (days_supply, other_opioid_mme, dose_frequency, ...)."
    )
    meaning: str = strawberry.field(description="What the threshold asks, in our words.")
    source: str = strawberry.field(description="Where the threshold comes from.")
    confidence: str | None = strawberry.field(description="How well it is verified.")


@strawberry.type(description="The daily dose an opioid request asks for, in morphine milligram "
                 "equivalents (CDC conversion factors in force on the date).")  # fmt: skip
class OpioidDose:
    opioid: str = strawberry.field(description="The opioid converted (hydrocodone for Norco).")
    strength: float | None = strawberry.field(
        description="Strength per unit (mg; mcg/hr for a patch)."
    )
    units_per_day: float | None = strawberry.field(description="Units a day the request allows.")
    factor: float | None = strawberry.field(description="The CDC conversion factor used.")
    mme_per_day: float | None = strawberry.field(
        description="Morphine milligram equivalents a day (null when the text does not say "
        "enough; see `missing`)."
    )
    basis: str = strawberry.field(description="How the numbers were read.")
    missing: list[str] = strawberry.field(description="What the request does not say.")
    factor_table: str | None = strawberry.field(description="CDC 2016 or CDC 2022.")
    factor_source: str | None = strawberry.field(description="Where the factor comes from.")
    factor_confidence: str | None = strawberry.field(description="How well the factor is verified.")
    thresholds: list[DoseThreshold] = strawberry.field(
        description="The MTUS daily-dose limits in force, then the CDC reference thresholds."
    )

    @classmethod
    def from_domain(cls, d: KgOpioidDose) -> OpioidDose:
        return cls(
            opioid=d.opioid,
            strength=d.strength,
            units_per_day=d.units_per_day,
            factor=d.factor,
            mme_per_day=d.mme_per_day,
            basis=d.basis,
            missing=list(d.missing),
            factor_table=d.factor_table,
            factor_source=d.factor_source,
            factor_confidence=d.factor_confidence,
            thresholds=[
                DoseThreshold(
                    label=t.label,
                    max_mme=t.max_mme,
                    status=CRITERION_STATUS[t.status],
                    needs=list(t.needs),
                    meaning=t.meaning,
                    source=t.source,
                    confidence=t.confidence,
                )
                for t in d.thresholds
            ],
        )
