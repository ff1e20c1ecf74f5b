"""The drug parts of a service's answer: its MTUS Drug List standing on the request date
(kg.drug_list) and, for an opioid, the daily MME it asks for (kg.mme), with the governing
section's dose thresholds (criteria in MED) judged on that dose."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kg.drug_list import DrugListStatus, drug_list_status
from kg.index import GuidelineIndex
from kg.mme import OpioidDose, ThresholdCheck, check_thresholds, judge, read_dose
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
    for node in index.treatment_lineage(opioid):
        for section_id in index.sections_by_treatment.get(node, ()):
            section = index.sections[section_id]
            limits = [
                (i, c)
                for i, c in ((i, index.criteria.get(i)) for i in section.criteria)
                if c is not None and i not in seen and _is_dose_limit(c)
            ]
            # most sections of a class above the opioid (medications) set no dose: their
            # adoptions are not read
            adoptions = index.adoptions_on(section.document_id, on) if limits else ()
            if not adoptions:
                continue
            for criterion_id, criterion in limits:
                if criterion_id in seen:
                    continue  # listed twice in the section
                seen.add(criterion_id)
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
    out = []
    for result in results:
        criterion = index.criteria.get(result.id)
        if criterion is None or not _is_dose_limit(criterion):
            out.append(result)
            continue
        mme = dose.mme_per_day if dose else None
        limit = criterion.max_units or 0
        status, needs = judge(mme, dose.missing if dose else (), limit, other_opioid_mme)
        said = f" Requested: {mme:g} MME/day." if mme is not None else ""
        out.append(CriterionResult(result.id, result.text + said, Status(status), needs))
    return tuple(out)
