"""What a client asks: services, diagnoses, a date and the facts of the case, checked at the door.

Parsing is the only place that can fail (InputError); everything after it is a pure function
over valid values.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from kg.errors import InputError

# The first MTUS took effect on 2007-06-15 (8 CCR 9792.20 ff., FACTS.md §2): before it there is
# no schedule to resolve against.
FIRST_MTUS_DATE = date(2007, 6, 15)
PHASES = ("acute", "subacute", "chronic", "postsurgical")


def _fact(description: str) -> Any:
    """A clinical fact, unknown (None) unless given; its description is what clients read."""
    return field(default=None, metadata={"description": description})


@dataclass(frozen=True, slots=True)
class Facts:
    """Typed clinical facts; None = not known. The one definition of the clinical-facts vocabulary:
    the GraphQL input (graphql_api.inputs.ClinicalFactsInput) is made from these fields, and the
    ontology's gl:ClinicalFact individuals must name the same keys and types
    (tests/test_vocab.py)."""

    phase: str | None = _fact("Phase of care, if stated.")
    date_of_injury: date | None = _fact(
        "Date of injury; with the request date it gives the duration of pain."
    )
    surgery: str | None = _fact("The surgery performed, by name.")
    surgery_date: date | None = _fact("Date of the surgery.")
    visits_received: int | None = _fact(
        "Visits of the same therapy already received for this injury."
    )
    weeks_received: int | None = _fact("Weeks of the treatment already received.")
    functional_improvement: bool | None = _fact(
        "Objective functional improvement from prior treatment is documented."
    )
    failed_conservative_care: bool | None = _fact(
        "An adequate course of conservative care has failed."
    )
    corroborated_radiculopathy: bool | None = _fact(
        "Radiculopathy on examination is corroborated by imaging or electrodiagnostics."
    )
    neurologic_deficit: bool | None = _fact(
        "Unequivocal objective neurologic findings on examination."
    )
    red_flags: bool | None = _fact(
        "Red-flag findings (tumour, infection, fracture, cauda equina, progressive deficit)."
    )
    surgery_considered: bool | None = _fact(
        "The patient is a surgical candidate or would consider surgery."
    )
    first_line_failed: bool | None = _fact(
        "A trial of first-line drugs failed or was not tolerated."
    )
    acute_exacerbation: bool | None = _fact(
        "The request is for an acute exacerbation of chronic pain."
    )
    gi_risk: bool | None = _fact("Gastrointestinal risk factors for NSAID use are present.")
    opioid_monitoring: bool | None = _fact(
        "Ongoing opioid monitoring (analgesia, activities, adverse effects, aberrant "
        "behaviour, drug screens) is documented."
    )
    pain_relief_percent: int | None = _fact(
        "Percent pain relief from the previous injection or trial."
    )
    relief_weeks: int | None = _fact("Weeks the relief from the previous injection lasted.")
    psych_evaluation: bool | None = _fact("A psychological evaluation has cleared the patient.")
    successful_trial: bool | None = _fact(
        "A trial of the treatment succeeded (e.g. a one-month TENS trial)."
    )
    home_exercise: bool | None = _fact("The patient follows an active home exercise program.")
    trigger_points: bool | None = _fact(
        "Myofascial trigger points with twitch response and referred pain are documented."
    )
    return_to_work_goal: bool | None = _fact(
        "A return-to-work goal is agreed by employer and employee."
    )
    prior_imaging_unchanged: bool | None = _fact(
        "The region was imaged before and nothing significant has changed since."
    )
    age: int | None = _fact("The patient's age in years.")
    days_supply: int | None = _fact(
        "Days a dispensed count is to last (a '#60' of tablets over 30 days), for the daily dose."
    )
    other_opioid_mme: int | None = _fact(
        "Morphine milligram equivalents a day of the other opioids taken (0 = none), for the "
        "total daily dose a threshold is judged on."
    )

    def get(self, key: str) -> Any:
        return getattr(self, key, None)

    def known(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name) for f in _FACT_FIELDS if getattr(self, f.name) is not None
        }

    @classmethod
    def parse(cls, raw: dict[str, Any] | None) -> Facts:
        """Facts from loosely typed input (CLI strings, JSON); unknown keys and bad values fail."""
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in _FACT_FIELDS}
        for key, value in (raw or {}).items():
            if key not in types:
                raise InputError(
                    f"unknown fact '{key}'; known facts: {', '.join(sorted(types))}", "facts"
                )
            if value is None or value == "":
                continue
            values[key] = _coerce(key, str(types[key]), value)
        if values.get("phase") is not None and values["phase"] not in PHASES:
            raise InputError(f"fact 'phase' must be one of {', '.join(PHASES)}", "facts")
        return cls(**values)


_FACT_FIELDS = tuple(f for f in fields(Facts) if f.init)


def _coerce(key: str, type_name: str, value: Any) -> Any:
    if "bool" in type_name:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "y"):
            return True
        if text in ("false", "no", "0", "n"):
            return False
        raise InputError(f"fact '{key}' must be true or false", "facts")
    if "int" in type_name:
        try:
            number = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number < 0 or number > 100_000:
            raise InputError(f"fact '{key}' must be a whole number between 0 and 100000", "facts")
        return number
    if "date" in type_name:
        return parse_date(value, f"fact '{key}'", "facts")
    text = str(value)
    if len(text) > 500:
        raise InputError(f"fact '{key}' is longer than 500 characters", "facts")
    return text.strip().lower() if key == "phase" else text


def parse_date(value: Any, what: str = "date", field: str = "date") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{what} must be a date in the form YYYY-MM-DD", field) from None


@dataclass(frozen=True, slots=True)
class ServiceInput:
    """One disputed service: free text as written, optionally pinned to a treatment id or
    quantity."""

    text: str
    treatment_id: str | None = None
    quantity: float | None = None


@dataclass(frozen=True, slots=True)
class ResolveRequest:
    date: date
    services: tuple[ServiceInput, ...]
    diagnoses: tuple[str, ...] = ()
    facts: Facts = field(default_factory=Facts)

    @classmethod
    def parse(
        cls,
        *,
        on: Any,
        services: list[Any],
        diagnoses: list[str] | None = None,
        facts: dict[str, Any] | Facts | None = None,
        today: date,
        max_services: int = 2000,
    ) -> ResolveRequest:
        """Check and type a request; `today` is passed in so the check stays pure."""
        when = check_request_date(parse_date(on, "the request date"), today)
        if not services:
            raise InputError("at least one service is needed", "services")
        if len(services) > max_services:
            raise InputError(f"at most {max_services} services per request", "services")
        typed = tuple(_service(s) for s in services)
        dx = tuple(str(d).strip() for d in (diagnoses or ()) if str(d).strip())
        if any(len(d) > 500 for d in dx):
            raise InputError("a diagnosis is longer than 500 characters", "diagnoses")
        return cls(when, typed, dx, facts if isinstance(facts, Facts) else Facts.parse(facts))


def check_request_date(when: date, today: date) -> date:
    if when < FIRST_MTUS_DATE:
        raise InputError(
            f"the request date {when} is before the first MTUS ({FIRST_MTUS_DATE})", "date"
        )
    if when > today:
        raise InputError(f"the request date {when} is in the future", "date")
    return when


def _service(raw: Any) -> ServiceInput:
    if isinstance(raw, ServiceInput):
        service = raw
    elif isinstance(raw, str):
        service = ServiceInput(raw)
    elif isinstance(raw, dict):
        quantity = raw.get("quantity")
        if quantity is not None and (
            isinstance(quantity, bool) or not isinstance(quantity, int | float)
        ):
            raise InputError("a service quantity must be a number", "services")
        service = ServiceInput(
            str(raw.get("text") or ""), raw.get("treatment_id") or raw.get("treatmentId"), quantity
        )
    else:
        raise InputError("a service is a text or an object with 'text'", "services")
    if not service.text.strip() and not service.treatment_id:
        raise InputError("a service needs a text or a treatment id", "services")
    if len(service.text) > 2000:
        raise InputError("a service text is longer than 2000 characters", "services")
    return service
