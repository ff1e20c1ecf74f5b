"""Input objects: what a client sends, converted to kg's request values at the door."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, fields
from datetime import date
from typing import Any, TypeVar

import strawberry
from strawberry.types import get_object_definition
from strawberry.types.arguments import InputContext

from graphql_api.enums import PHASE_FACT, Phase
from kg.lookup import SectionFilter
from kg.resolve import Facts, ResolveRequest
from kg.resolve import ServiceInput as KgServiceInput

T = TypeVar("T")
# per input class: the naming config it was made for, and (GraphQL name, Python name, field type)
# of each field
_Plan = tuple[object, tuple[tuple[str, str, Any], ...]]
_plans: dict[type, _Plan] = {}


def built_directly(cls: type[T]) -> type[T]:
    """Input objects built from graphql-core's coerced value by strawberry's `from_input` hook,
    converting only the fields that carry a value. graphql-core fills in every field left out
    with its published default (null), and strawberry's own conversion walks each of them through
    its type machinery: the 27 clinical facts cost ~0.2 ms per resolve request when one is sent.
    Same values: a null or a scalar is what strawberry's conversion would give, the others (lists,
    nested inputs) are converted by strawberry itself."""
    definition = get_object_definition(cls, strict=True)
    unset = {
        f.python_name: None
        for f in definition.fields
        if f.default is MISSING and f.default_factory is MISSING
    }

    def from_input(origin: type, value: Mapping[str, Any], context: InputContext) -> Any:
        plan = _plans.get(origin)
        if plan is None or plan[0] is not context.config:
            names = context.config.name_converter
            plan = _plans[origin] = (
                context.config,
                tuple((names.from_field(f), f.python_name, f.type) for f in definition.fields),
            )
        kwargs = dict(unset)
        for name, python_name, kind in plan[1]:
            if name in value:
                given = value[name]
                kwargs[python_name] = (
                    given
                    if given is None or isinstance(given, _SCALARS)
                    else context.convert(given, kind, name)
                )
        return origin(**kwargs)

    definition.from_input = from_input
    return cls


# coerced values strawberry hands on unchanged (String, ID, Int, Float, Boolean, Date)
_SCALARS = (str, int, float, bool, date)


@built_directly
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
    return built_directly(
        strawberry.input(
            type("ClinicalFactsInput", (), namespace),
            description=(
                "Clinical facts of the case; leave out what is not known. The criteria the facts "
                "cannot decide come back "
                "as INSUFFICIENT_INFORMATION with the facts they need."
            ),
        )
    )


ClinicalFactsInput = _clinical_facts_input()


@built_directly
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


@built_directly
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
