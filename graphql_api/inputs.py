"""Input objects: what a client sends, converted to kg's request values at the door."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

import strawberry

from graphql_api.enums import PHASE_FACT, Phase
from kg.lookup import SectionFilter
from kg.resolve import Facts, ResolveRequest, ServiceInput as KgServiceInput


@strawberry.input(description="One disputed service as the request or letter writes it.")
class ServiceInput:
    text: str = strawberry.field(description="The service as written, e.g. \"PHYSICAL THERAPY X6\" or "
                                 "\"Flexeril 7.5mg #60\".")
    treatment_id: strawberry.ID | None = strawberry.field(
        default=None, description="Pin the service to a treatment id (e.g. after an AMBIGUOUS outcome).")
    quantity: float | None = strawberry.field(
        default=None, description="The quantity requested, when it is not in the text.")

    def to_domain(self) -> KgServiceInput:
        return KgServiceInput(self.text, str(self.treatment_id) if self.treatment_id else None, self.quantity)


@strawberry.input(description="Clinical facts of the case; leave out what is not known. The criteria the facts "
                  "cannot decide come back as INSUFFICIENT_INFORMATION with the facts they need.")
class ClinicalFactsInput:
    phase: Phase | None = strawberry.field(default=None, description="Phase of care, if stated.")
    date_of_injury: date | None = strawberry.field(
        default=None, description="Date of injury; with the request date it gives the duration of pain.")
    surgery: str | None = strawberry.field(default=None, description="The surgery performed, by name.")
    surgery_date: date | None = strawberry.field(default=None, description="Date of the surgery.")
    visits_received: int | None = strawberry.field(
        default=None, description="Visits of the same therapy already received for this injury.")
    weeks_received: int | None = strawberry.field(
        default=None, description="Weeks of the treatment already received.")
    functional_improvement: bool | None = strawberry.field(
        default=None, description="Objective functional improvement from prior treatment is documented.")
    failed_conservative_care: bool | None = strawberry.field(
        default=None, description="An adequate course of conservative care has failed.")
    corroborated_radiculopathy: bool | None = strawberry.field(
        default=None, description="Radiculopathy on examination is corroborated by imaging or electrodiagnostics.")
    neurologic_deficit: bool | None = strawberry.field(
        default=None, description="Unequivocal objective neurologic findings on examination.")
    red_flags: bool | None = strawberry.field(
        default=None, description="Red-flag findings (tumour, infection, fracture, cauda equina, progressive "
        "deficit).")
    surgery_considered: bool | None = strawberry.field(
        default=None, description="The patient is a surgical candidate or would consider surgery.")
    first_line_failed: bool | None = strawberry.field(
        default=None, description="A trial of first-line drugs failed or was not tolerated.")
    acute_exacerbation: bool | None = strawberry.field(
        default=None, description="The request is for an acute exacerbation of chronic pain.")
    gi_risk: bool | None = strawberry.field(
        default=None, description="Gastrointestinal risk factors for NSAID use are present.")
    opioid_monitoring: bool | None = strawberry.field(
        default=None, description="Ongoing opioid monitoring (analgesia, activities, adverse effects, aberrant "
        "behaviour, drug screens) is documented.")
    pain_relief_percent: int | None = strawberry.field(
        default=None, description="Percent pain relief from the previous injection or trial.")
    relief_weeks: int | None = strawberry.field(
        default=None, description="Weeks the relief from the previous injection lasted.")
    psych_evaluation: bool | None = strawberry.field(
        default=None, description="A psychological evaluation has cleared the patient.")
    successful_trial: bool | None = strawberry.field(
        default=None, description="A trial of the treatment succeeded (e.g. a one-month TENS trial).")
    home_exercise: bool | None = strawberry.field(
        default=None, description="The patient follows an active home exercise program.")
    trigger_points: bool | None = strawberry.field(
        default=None, description="Myofascial trigger points with twitch response and referred pain are documented.")
    return_to_work_goal: bool | None = strawberry.field(
        default=None, description="A return-to-work goal is agreed by employer and employee.")
    prior_imaging_unchanged: bool | None = strawberry.field(
        default=None, description="The region was imaged before and nothing significant has changed since.")
    age: int | None = strawberry.field(default=None, description="The patient's age in years.")

    def to_dict(self) -> dict[str, Any]:
        # the fields are scalars: read them (dataclasses.asdict deep-copies each, a third of a small request)
        values = {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}
        if "phase" in values:
            values["phase"] = PHASE_FACT[Phase(values["phase"])]
        return values


@strawberry.input(description="A request for review: the services disputed, the diagnoses, the date of the "
                  "request and what is known of the case.")
class ResolveInput:
    date: date = strawberry.field(description="Date of the request for authorization; it picks the guidelines "
                                  "in force (on or after 2007-06-15, not in the future).")
    diagnoses: list[str] = strawberry.field(description="ICD-10-CM or ICD-9 codes, or diagnoses in words.")
    services: list[ServiceInput] = strawberry.field(description="The disputed services, in order.")
    facts: ClinicalFactsInput | None = strawberry.field(default=None, description="Clinical facts of the case.")

    def to_request(self, today: date, max_services: int) -> ResolveRequest:
        """Raises kg.errors.InputError when the request cannot be served as given."""
        facts = Facts.parse(self.facts.to_dict() if self.facts else None)
        return ResolveRequest.parse(on=self.date, services=[s.to_domain() for s in self.services],
                                    diagnoses=self.diagnoses, facts=facts, today=today, max_services=max_services)


@strawberry.input(description="Which sections to list; every filter given must hold.")
class SectionFilterInput:
    guideline: str | None = strawberry.field(
        default=None, description="A guideline label as letters use it (\"MTUS CPMTG\", \"MTUS ACOEM\", \"ODG\", "
        "\"ACOEM\") or \"MTUS\" for any MTUS part; MTUS labels are judged on `asOf` when given.")
    document: strawberry.ID | None = strawberry.field(default=None, description="Only sections of this document.")
    treatment: strawberry.ID | None = strawberry.field(
        default=None, description="Only sections addressing this treatment or a broader kind of it.")
    condition: strawberry.ID | None = strawberry.field(
        default=None, description="Only sections written for this diagnosis or a broader one.")
    as_of: date | None = strawberry.field(
        default=None, description="Only sections of documents a reviewer could use on this date.")
    search: str | None = strawberry.field(
        default=None, description="Words of the section title (ranked: exact, prefix, words, fuzzy).")

    def to_domain(self) -> SectionFilter:
        return SectionFilter(self.guideline, str(self.document) if self.document else None,
                             str(self.treatment) if self.treatment else None,
                             str(self.condition) if self.condition else None, self.as_of, self.search)


# The input field an InputError message is about; checked in order (fact messages may say "date").
_FIELDS = (("fact ", "facts"), ("request date", "date"), ("service", "services"), ("diagnos", "diagnoses"))


def field_of(message: str) -> str | None:
    return next((name for word, name in _FIELDS if word in message), None)
