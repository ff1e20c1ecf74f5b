"""resolve(request, index): for each service, the governing citation, ranked candidates,
criteria evaluated and a trace of why. Pure: no I/O, no clock, no globals, no cache.

The pipeline reads top-down: read the service and the diagnoses -> the phase -> the ranking of
the candidates by the search sequence -> the governing section's criteria -> the citations. Each
step is one of `Steps` (kg.resolve.steps); a caller that wants answers kept passes its own.
"""

from __future__ import annotations

from kg import vocab
from kg.index import GuidelineIndex
from kg.resolve.diagnosis import DiagnosisReading
from kg.resolve.drugs import dose_criteria, drug_answers
from kg.resolve.outcome import CriterionResult, Outcome, ServiceResolution, Status, TreatmentRef
from kg.resolve.request import ResolveRequest, ServiceInput
from kg.resolve.sequence import Case
from kg.resolve.service import ServiceReading, body_regions, topical_form
from kg.resolve.steps import Steps


def resolve(
    request: ResolveRequest,
    index: GuidelineIndex,
    steps: Steps | None = None,
) -> tuple[ServiceResolution, ...]:
    steps = steps or Steps.of(index)
    diagnoses, conditions = steps.diagnoses(request.diagnoses, request.date)
    return tuple(
        resolve_service(s, request, diagnoses, conditions, index, steps) for s in request.services
    )


def resolve_service(
    service: ServiceInput,
    request: ResolveRequest,
    diagnoses: DiagnosisReading,
    conditions: frozenset[str],
    index: GuidelineIndex,
    steps: Steps,
) -> ServiceResolution:
    on = request.date
    reading, read_line = steps.reading(service.text, service.treatment_id, service.quantity)
    problems = diagnoses.problems
    if service.treatment_id and not reading.treatment_ids:
        problems = (*problems, f"treatment id {service.treatment_id} is not in the graph")
    if not reading.treatment_ids or reading.ambiguous:
        return _unmatched(service, reading, [read_line], list(problems), index)
    facts = request.facts
    phase, phase_note = steps.phase(
        facts.phase,
        facts.surgery_date,
        facts.date_of_injury,
        on,
        reading.postoperative,
        diagnoses.status_post,
        bool(reading.regions),
    )
    regions, region_line = _regions(service.text, reading.regions, diagnoses.regions)
    primary = reading.treatment_ids[0] if not reading.compound else _compound_id(reading, index)
    ranking = steps.ranking(primary, on, phase, regions, conditions)
    trace = (read_line, phase_note, region_line, *ranking.trace(on))
    citations = ranking.citations
    treatment = index.treatments[primary]
    ref = TreatmentRef(treatment.id, treatment.label)
    body_regions = tuple(sorted(regions))
    drug_list, dose = drug_answers(service.text, reading, primary, request, index)
    if not citations:
        trace = (
            *trace,
            "No guideline in force addresses the treatment: decide on peer-reviewed evidence "
            f"({ranking.last_step or 'LC 4610.5(c)(2)(B)'}).",
        )
        return ServiceResolution(
            service.text,
            Outcome.NOT_ADDRESSED,
            ref,
            reading.quantity,
            None,
            (),
            (),
            trace,
            problems,
            body_regions=body_regions,
            phase=phase,
            drug_list=drug_list,
            dose=dose,
        )
    lineage = frozenset(index.treatment_lineage(primary))
    # A compound, written out or a named product, is judged on every ingredient too (CPMTG Topical
    # analgesics: one ingredient that is not recommended makes the compound not recommended).
    ingredients = (
        reading.treatment_ids
        if reading.compound
        else (
            treatment.ingredients
            if treatment.kind == vocab.TreatmentKind.COMPOUNDED_PRODUCT
            and (treatment.route == vocab.Route.TOPICAL or reading.topical)
            else ()
        )
    )
    if ingredients:
        lineage = lineage | frozenset(
            a for i in ingredients for a in index.treatment_lineage(topical_form(i, index))
        )
    results = steps.criteria(
        ranking.governing.id, facts, reading.quantity, conditions, phase, lineage, on
    )
    results = dose_criteria(results, dose, facts.other_opioid_mme, index)
    if ingredients:
        results = (
            *results,
            _compound_rule(
                ingredients, primary, Case(on, phase, regions, conditions), index, steps
            ),
        )
    return ServiceResolution(
        service.text,
        Outcome.RESOLVED,
        ref,
        reading.quantity,
        citations[0],
        citations,
        results,
        trace,
        problems,
        body_regions=body_regions,
        phase=phase,
        drug_list=drug_list,
        dose=dose,
    )


def _regions(
    text: str, named: tuple[str, ...], diagnosed: tuple[str, ...]
) -> tuple[frozenset[str], str]:
    """The case's regions, and the trace line that says where they came from: the service's, else
    the diagnoses'. A limb named without a joint ("upper extremity", RUE) is every region of that
    limb, never the spine by itself (issue 14); the diagnoses then say which: the limb's regions
    they name (carpal tunnel syndrome: the hand), or, when they name none of the limb but a spine
    region, that region, whose chapter works up limb symptoms (cervical radiculopathy: ACOEM ch 8
    for an arm EMG)."""
    if named and not body_regions(text, referred=False) and diagnosed:
        limb, found = frozenset(named), frozenset(diagnosed)
        spine = found & SPINE
        if limb & found:
            return _region_line(
                limb & found, " (the limb named by the service, as the diagnoses say)"
            )
        if spine:
            return _region_line(
                spine, " (a limb named by the service; its spine, from the diagnoses)"
            )
    if named:
        return _region_line(frozenset(named), " (from the service)")
    regions = frozenset(diagnosed)
    return _region_line(regions, " (from the diagnoses)" if regions else "")


SPINE = frozenset(
    {vocab.BodyRegion.NECK, vocab.BodyRegion.THORACIC_SPINE, vocab.BodyRegion.LOW_BACK}
)


def _region_line(regions: frozenset[str], where: str) -> tuple[frozenset[str], str]:
    return regions, f"Body region: {', '.join(sorted(regions)) or 'not stated'}{where}."


def _compound_id(reading: ServiceReading, index: GuidelineIndex) -> str:
    """A compound is governed by the guidance for compounded topicals."""
    # CPMTG Topical analgesics holds the compound rule; a cream or patch compound is governed there.
    order = (
        ("tx:topical-analgesics", "tx:compounded-topicals")
        if reading.topical
        else ("tx:compounded-topicals", "tx:topical-analgesics")
    )
    for node in order:
        if node in index.treatments:
            return node
    return reading.treatment_ids[0]


def _compound_rule(
    ingredients: tuple[str, ...], governed_as: str, case: Case, index: GuidelineIndex, steps: Steps
) -> CriterionResult:
    """CPMTG Topical analgesics: a compound with any ingredient that is not recommended is not."""
    not_recommended, unknown = [], []
    governing = steps.ranking(
        governed_as, case.on, case.phase, case.regions, case.conditions
    ).governing
    exclusions = [
        index.criteria[c] for c in (governing.criteria if governing else ()) if c in index.criteria
    ]
    for ingredient in ingredients:
        topical = topical_form(ingredient, index)
        lineage = set(index.treatment_lineage(topical))
        ranked = steps.ranking(
            topical, case.on, case.phase, case.regions, case.conditions
        ).candidates
        label = index.treatments[ingredient].label
        excluded = next((c for c in exclusions if set(c.excludes) & lineage), None)
        if excluded is not None:
            not_recommended.append(f"{label} ({excluded.text.rstrip('.')})")
        elif not ranked:
            unknown.append(label)
        elif ranked[0].section.recommendation == vocab.Recommendation.NOT_RECOMMENDED:
            not_recommended.append(f"{label} ({ranked[0].section.label})")
    text = "A compounded product is not recommended if any ingredient is not recommended."
    if not_recommended:
        return CriterionResult(
            "rule:compound-ingredients",
            text + " Not recommended: " + "; ".join(not_recommended),
            Status.NOT_MET,
        )
    if unknown:
        return CriterionResult(
            "rule:compound-ingredients",
            text + " No guidance found for: " + ", ".join(unknown),
            Status.INSUFFICIENT_INFORMATION,
            ("ingredient_guidance",),
        )
    return CriterionResult("rule:compound-ingredients", text, Status.MET)


def _unmatched(
    service: ServiceInput,
    reading: ServiceReading,
    trace: list[str],
    problems: list[str],
    index: GuidelineIndex,
) -> ServiceResolution:
    ids = reading.treatment_ids or reading.suggestions
    suggestions = tuple(
        TreatmentRef(i, index.treatments[i].label) for i in ids if i in index.treatments
    )
    if reading.ambiguous:
        outcome = Outcome.AMBIGUOUS
        problems.append(
            "the service matches several treatments: "
            + ", ".join(s.label for s in suggestions)
            + "; name one or pass its id"
        )
    else:
        outcome = Outcome.UNKNOWN_SERVICE
        hint = (
            ("; did you mean " + ", ".join(s.label for s in suggestions) + "?")
            if suggestions
            else ""
        )
        problems.append("the service matches no treatment of the graph" + hint)
    return ServiceResolution(
        service.text,
        outcome,
        None,
        reading.quantity,
        None,
        (),
        (),
        tuple(trace),
        tuple(problems),
        suggestions,
    )
