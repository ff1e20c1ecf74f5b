"""The requests the benchmark sends: services as letters write them, with diagnoses, dates and
facts.

Hand-written cases (the services disputed most often in IMR letters) plus, deterministically, one
case per treatment the graph addresses, so every row exercises many treatments and dates rather than
one hot key. Only cases the resolver answers RESOLVED are kept: the figure is the cost of a real
answer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from kg.index import GuidelineIndex
from kg.resolve import Outcome, ResolveRequest, ServiceInput, resolve

TODAY = date(2026, 1, 1)
SEED = 20260101

# (service text, diagnoses, request date, date of injury)
COMMON: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("Physical therapy x6", ("M54.5",), "2019-06-01", "2018-01-10"),
    ("Cyclobenzaprine 7.5mg #60", ("M54.5",), "2015-03-02", "2014-02-11"),
    ("Acupuncture x6 sessions", ("M54.2",), "2017-09-14", "2016-11-02"),
    ("MRI of the lumbar spine without contrast", ("M54.16",), "2016-12-09", "2016-10-13"),
    ("MRI of the right shoulder without contrast", ("M75.101",), "2016-12-09", "2016-10-13"),
    ("Tramadol 50mg #90", ("M54.5",), "2018-04-20", "2015-05-01"),
    ("Chiropractic manipulation x8", ("M54.2",), "2013-07-30", "2013-01-15"),
    ("Lumbar epidural steroid injection L4-L5", ("M51.16",), "2020-02-18", "2018-08-08"),
    ("TENS unit purchase", ("M54.5",), "2011-10-05", "2010-03-03"),
    ("Norco 10/325mg #120", ("M54.5",), "2014-06-11", "2012-09-27"),
    ("Functional restoration program x 10 days", ("M54.5",), "2021-05-05", "2019-01-20"),
    ("Naproxen 550mg #60", ("M25.511",), "2010-08-16", "2010-01-05"),
    ("Ketoprofen 10% cream", ("M54.5",), "2016-02-22", "2014-12-01"),
    ("Aquatic therapy x12", ("M17.11",), "2019-11-12", "2018-06-30"),
    ("Omeprazole 20mg #60", ("M54.5",), "2017-03-03", "2015-07-07"),
    ("Urine drug screen", ("M54.5",), "2018-10-10", "2016-04-04"),
)


@dataclass(frozen=True)
class Case:
    request: ResolveRequest
    section_id: str  # the governing section, for the dict-lookup floor
    treatment_id: str


def cases(index: GuidelineIndex, extra: int = 48, seed: int = SEED) -> list[Case]:
    """The common cases that resolve, then up to `extra` more drawn from the graph's treatments."""
    rng = random.Random(seed)
    out: list[Case] = []
    for text, diagnoses, on, injury in COMMON:
        found = _case(index, text, diagnoses, on, {"date_of_injury": injury})
        if found:
            out.append(found)
    addressed = sorted(t for t in index.sections_by_treatment if t in index.treatments)
    rng.shuffle(addressed)
    icd10 = sorted(index.condition_by_icd10)
    for treatment_id in addressed:
        if extra <= 0:
            break
        label = index.treatments[treatment_id].label
        on = date.fromordinal(
            rng.randint(date(2008, 1, 1).toordinal(), date(2025, 12, 1).toordinal())
        )
        injury = date.fromordinal(on.toordinal() - rng.randint(20, 2000))
        quantity = rng.choice(("", " x6", " #60", " x12"))
        found = _case(
            index,
            f"{label}{quantity}",
            (rng.choice(icd10),),
            on.isoformat(),
            {"date_of_injury": injury.isoformat()},
        )
        if found:
            out.append(found)
            extra -= 1
    if len(out) < 8:
        raise RuntimeError(f"only {len(out)} benchmark cases resolve in this graph")
    return out


def _case(
    index: GuidelineIndex, text: str, diagnoses: tuple[str, ...], on: str, facts: dict[str, Any]
) -> Case | None:
    request = ResolveRequest.parse(
        on=on, services=[text], diagnoses=list(diagnoses), facts=facts, today=TODAY
    )
    answer = resolve(request, index)[0]
    if (
        answer.outcome is not Outcome.RESOLVED
        or answer.governing is None
        or answer.treatment is None
    ):
        return None
    return Case(request, answer.governing.section_id, answer.treatment.id)


def batch(found: list[Case], size: int, on: str = "2019-06-01") -> ResolveRequest:
    """One request of `size` services: the cases' services in turn, each with its own quantity."""
    services = []
    for n in range(size):
        case = found[n % len(found)]
        service = case.request.services[0]
        services.append(
            ServiceInput(f"{service.text} (item {n + 1})", service.treatment_id, float(n % 24 + 1))
        )
    return ResolveRequest.parse(
        on=on,
        services=services,
        diagnoses=["M54.5"],
        facts={"date_of_injury": "2018-01-10", "visits_received": 4},
        today=TODAY,
    )


# ------------------------------------------------------------------ over HTTP

GRAPHQL_QUERY = """query Resolve($input: ResolveInput!) {
  resolve(input: $input) {
    __typename
    ... on ResolveSuccess {
      services {
        request outcome quantity phase bodyRegions problems
        treatment { id label }
        governing { guideline mtus section pages text evidenceStep recommendation }
        candidates { guideline text }
        criteria { id status needs }
      }
    }
    ... on InvalidInput { message field }
  }
}"""


def http_input(
    services: list[str],
    on: str = "2019-06-01",
    diagnoses: tuple[str, ...] = ("M54.5",),
    injury: str = "2018-01-10",
) -> dict[str, Any]:
    """The request both endpoints take (the GraphQL `ResolveInput`, as JSON)."""
    return {
        "date": on,
        "diagnoses": list(diagnoses),
        "services": [{"text": s} for s in services],
        "facts": {"dateOfInjury": injury},
    }


def http_services(found: list[Case], size: int) -> list[str]:
    return [
        f"{found[n % len(found)].request.services[0].text} (item {n + 1})"
        if size > 1
        else found[0].request.services[0].text
        for n in range(size)
    ]
