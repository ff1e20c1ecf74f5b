"""The drug parts of a service's answer: its MTUS Drug List standing on the request date
(kg.drug_list) and, for an opioid, the daily MME it asks for (kg.mme), with the governing
section's dose thresholds (criteria in MED) judged on that dose."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kg import model as m
from kg.drug_list import DrugListStatus, drug_list_status
from kg.index import GuidelineIndex
from kg.mme import OpioidDose, ThresholdCheck, check_thresholds, judge, read_dose
from kg.per_index import per_index
from kg.resolve.outcome import CriterionResult, Status
from kg.resolve.request import ResolveRequest
from kg.resolve.service import ServiceReading

OPIOIDS = "tx:opioids"
DOSE_UNITS = ("med", "mme")  # criteria whose limit is a daily morphine-equivalent dose


def drug_answers(
    text: str,
    reading: ServiceReading,
    primary: str,
    request: ResolveRequest,
    index: GuidelineIndex,
) -> tuple[DrugListStatus | None, OpioidDose | None]:
    """(standing on the Drug List, opioid dose); None for what does not apply. The dose carries
    the daily-dose limits of the MTUS sections in force that address the request (Opioids
    guideline, CPMTG), then the CDC reference thresholds."""
    on = request.date
    standing = drug_list_status(index, primary, on, compound=reading.compound)
    if standing is None:
        return None, None
    ids = reading.treatment_ids or (primary,)
    opioid = next((i for i in ids if OPIOIDS in index.treatment_lineage(i)), None)
    if opioid is None or reading.compound or reading.topical:
        return standing, None  # a topical compound with tramadol is not an opioid dose
    dose = read_dose(
        text,
        ids,
        on,
        days_supply=request.facts.days_supply,
        unconverted=index.treatments[opioid].label,
    )
    if dose is not None:
        other = request.facts.other_opioid_mme
        mtus = _mtus_thresholds(dose, opioid, on, other, index)
        dose = replace(dose, thresholds=(*mtus, *check_thresholds(dose, on, other)))
    return standing, dose


def _mtus_thresholds(
    dose: OpioidDose, opioid: str, on: date, other: int | None, index: GuidelineIndex
) -> tuple[ThresholdCheck, ...]:
    """Daily-dose limits (criteria in MED) of the MTUS sections in force on the date that address
    the opioid or a class above it (CPMTG Opioids, dosing; the Opioids guideline's threshold)."""
    out, seen = [], set()
    dose_limits = _dose_limits(index)
    for node in index.treatment_lineage(opioid):
        for section, criteria in dose_limits.of(node):
            adoptions = index.adoptions_on(section.document_id, on)
            if not adoptions:
                continue
            for criterion in criteria:
                if criterion.id in seen:
                    continue
                seen.add(criterion.id)
                limit = criterion.max_units or 0
                status, needs = judge(dose.mme_per_day, dose.missing, limit, other)
                where = (
                    f"{adoptions[0].citation_label}: {index.documents[section.document_id].label}"
                )
                out.append(
                    ThresholdCheck(
                        f"{where}, {section.label}: {limit:g} MME/day",
                        limit,
                        status,
                        needs,
                        criterion.text,
                        "; ".join(criterion.provenance.sources),
                        criterion.provenance.confidence,
                    )
                )
    return tuple(out)


class _DoseLimits:
    """Per treatment, the sections addressing it that set a daily-dose limit, with those limits:
    read from the index once (most sections of a class above the opioid, medications, set none)."""

    def __init__(self, index: GuidelineIndex) -> None:
        # the index's tables, not the index: kept per index, the book must not keep it alive
        self.sections_by_treatment = index.sections_by_treatment
        self.sections = index.sections
        self.criteria = index.criteria
        self.found: dict[str, tuple[tuple[m.Section, tuple[m.Criterion, ...]], ...]] = {}

    def of(self, treatment_id: str) -> tuple[tuple[m.Section, tuple[m.Criterion, ...]], ...]:
        found = self.found.get(treatment_id)
        if found is None:
            found = ()
            for section_id in self.sections_by_treatment.get(treatment_id, ()):
                section = self.sections[section_id]
                criteria = tuple(
                    c
                    for c in (self.criteria.get(i) for i in section.criteria)
                    if c is not None and _is_dose_limit(c)
                )
                if criteria:
                    found += ((section, criteria),)
            self.found[treatment_id] = found
        return found


_dose_limits = per_index(_DoseLimits)
_dose_limit_ids = per_index(
    lambda index: frozenset(i for i, c in index.criteria.items() if _is_dose_limit(c))
)


def _is_dose_limit(criterion) -> bool:  # noqa: ANN001 (kg.model.Criterion)
    return (criterion.unit or "").lower() in DOSE_UNITS and criterion.max_units is not None


def dose_criteria(
    results: tuple[CriterionResult, ...],
    dose: OpioidDose | None,
    other_opioid_mme: int | None,
    index: GuidelineIndex,
) -> tuple[CriterionResult, ...]:
    """The governing section's dose limits (unit MED) judged on the requested daily MME; other
    criteria as they were."""
    limits = _dose_limit_ids(index)
    if limits.isdisjoint(result.id for result in results):
        return results  # most sections set no dose
    out = []
    for result in results:
        if result.id not in limits:
            out.append(result)
            continue
        criterion = index.criteria[result.id]
        mme = dose.mme_per_day if dose else None
        limit = criterion.max_units or 0
        status, needs = judge(mme, dose.missing if dose else (), limit, other_opioid_mme)
        said = f" Requested: {mme:g} MME/day." if mme is not None else ""
        out.append(CriterionResult(result.id, result.text + said, Status(status), needs))
    return tuple(out)
