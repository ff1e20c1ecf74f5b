"""Input objects: what a client sends, converted to kg's request values at the door."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

import strawberry

from graphql_api.enums import PHASE_FACT, Phase
from kg.lookup import SectionFilter
from kg.resolve import Facts, ResolveRequest
from kg.resolve import ServiceInput as KgServiceInput


@strawberry.input(description="One disputed service as the request or letter writes it.")
class ServiceInput:
    text: str = strawberry.field(
        description='The service as written, e.g. "PHYSICAL THERAPY X6" or "Flexeril 7.5mg #60".'
    )
    treatment_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Pin the service to a treatment id (e.g. after an AMBIGUOUS outcome).",
    )
    quantity: float | None = strawberry.field(
        default=None, description="The quantity requested, when it is not in the text."
    )

    def to_domain(self) -> KgServiceInput:
        return KgServiceInput(
            self.text, str(self.treatment_id) if self.treatment_id else None, self.quantity
        )


_GRAPHQL_TYPES: dict[str, Any] = {
    "str | None": str | None,
    "date | None": date | None,
    "int | None": int | None,
    "bool | None": bool | None,
}


def _clinical_facts_input() -> type:
    """The GraphQL input of the clinical facts, field for field from kg's Facts (their one
    definition); the phase is the GraphQL enum."""

    def to_dict(self: Any) -> dict[str, Any]:
        values = {f.name: v for f in fields(Facts) if (v := getattr(self, f.name)) is not None}
        if "phase" in values:
            values["phase"] = PHASE_FACT[Phase(values["phase"])]
        return values

    namespace: dict[str, Any] = {"__annotations__": {}, "to_dict": to_dict}
    for fact in fields(Facts):
        kind = Phase | None if fact.name == "phase" else _GRAPHQL_TYPES[str(fact.type)]
        namespace["__annotations__"][fact.name] = kind
        namespace[fact.name] = strawberry.field(
            default=None, description=fact.metadata["description"]
        )
    return strawberry.input(
        type("ClinicalFactsInput", (), namespace),
        description=(
            "Clinical facts of the case; leave out what is not known. The criteria the facts "
            "cannot decide come back "
            "as INSUFFICIENT_INFORMATION with the facts they need."
        ),
    )


ClinicalFactsInput = _clinical_facts_input()


@strawberry.input(
    description="A request for review: the services disputed, the diagnoses, the date of the "
    "request and what is known of the case."
)
class ResolveInput:
    date: date = strawberry.field(
        description="Date of the request for authorization; it picks the guidelines "
        "in force (on or after 2007-06-15, not in the future)."
    )
    diagnoses: list[str] = strawberry.field(
        description="ICD-10-CM or ICD-9 codes, or diagnoses in words."
    )
    services: list[ServiceInput] = strawberry.field(description="The disputed services, in order.")
    facts: ClinicalFactsInput | None = strawberry.field(
        default=None, description="Clinical facts of the case."
    )

    def to_request(self, today: date, max_services: int) -> ResolveRequest:
        """Raises kg.errors.InputError when the request cannot be served as given."""
        facts = Facts.parse(self.facts.to_dict() if self.facts else None)
        return ResolveRequest.parse(
            on=self.date,
            services=[s.to_domain() for s in self.services],
            diagnoses=self.diagnoses,
            facts=facts,
            today=today,
            max_services=max_services,
        )


@strawberry.input(description="Which sections to list; every filter given must hold.")
class SectionFilterInput:
    guideline: str | None = strawberry.field(
        default=None,
        description='A guideline label as letters use it ("MTUS CPMTG", "MTUS ACOEM", "ODG", '
        '"ACOEM") or "MTUS" for any MTUS part; MTUS labels are judged on `asOf` when given.',
    )
    document: strawberry.ID | None = strawberry.field(
        default=None, description="Only sections of this document."
    )
    treatment: strawberry.ID | None = strawberry.field(
        default=None, description="Only sections addressing this treatment or a broader kind of it."
    )
    condition: strawberry.ID | None = strawberry.field(
        default=None, description="Only sections written for this diagnosis or a broader one."
    )
    as_of: date | None = strawberry.field(
        default=None, description="Only sections of documents a reviewer could use on this date."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Words of the section title (ranked: exact, prefix, words, fuzzy).",
    )

    def to_domain(self) -> SectionFilter:
        return SectionFilter(
            self.guideline,
            str(self.document) if self.document else None,
            str(self.treatment) if self.treatment else None,
            str(self.condition) if self.condition else None,
            self.as_of,
            self.search,
        )
