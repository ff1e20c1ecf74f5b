"""resolve(request, index): for each service, the governing citation, ranked candidates,
criteria evaluated and a trace of why. Pure: no I/O, no clock, no globals."""

from __future__ import annotations

from datetime import date, timedelta

from kg.index import GuidelineIndex
from kg.resolve.citation import cite
from kg.resolve.criteria import Context, evaluate
from kg.resolve.diagnosis import DiagnosisReading, read_diagnoses
from kg.resolve.outcome import Citation, CriterionResult, Outcome, ServiceResolution, Status, TreatmentRef
from kg.resolve.request import Facts, ResolveRequest, ServiceInput
from kg.resolve.sequence import PHASE_NAMES, Candidate, Case, candidates
from kg.resolve.service import ServiceReading, read_service

# 8 CCR 9792.20: chronic pain lasts 3 months or more from onset (the 2009 text: beyond the
# anticipated healing time, which letters also put at about 3 months).
CHRONIC_AFTER = timedelta(days=90)
# 8 CCR 9792.24.3: the post-surgical physical medicine period; 6 months is the longest common
# period of the schedule and is used when the surgery's own period is not known.
POSTSURGICAL_PERIOD = timedelta(days=183)
MAX_CANDIDATES = 12


def resolve(request: ResolveRequest, index: GuidelineIndex) -> tuple[ServiceResolution, ...]:
    diagnoses = read_diagnoses(request.diagnoses, index, request.date)
    conditions = _with_ancestors(diagnoses.condition_ids, index)
    return tuple(resolve_service(s, request, diagnoses, conditions, index) for s in request.services)


def resolve_service(service: ServiceInput, request: ResolveRequest, diagnoses: DiagnosisReading,
                    conditions: frozenset[str], index: GuidelineIndex) -> ServiceResolution:
    reading = read_service(service.text, index, service.treatment_id, service.quantity)
    trace = [_read_trace(reading, index)]
    problems = list(diagnoses.problems)
    if service.treatment_id and not reading.treatment_ids:
        problems.append(f"treatment id {service.treatment_id} is not in the graph")
    if not reading.treatment_ids or reading.ambiguous:
        return _unmatched(service, reading, trace, problems, index)
    phase, phase_note = decide_phase(request.facts, request.date, reading, diagnoses)
    trace.append(phase_note)
    regions = frozenset(reading.regions or diagnoses.regions)
    trace.append(f"Body region: {', '.join(sorted(regions)) or 'not stated'}"
                 + (" (from the service)" if reading.regions else " (from the diagnoses)" if regions else "") + ".")
    case = Case(request.date, phase, regions, conditions)
    primary = reading.treatment_ids[0] if not reading.compound else _compound_id(reading, index)
    ranked = candidates(primary, case, index)
    trace += _sequence_trace(ranked, request.date, index)
    citations = tuple(cite(c.section, index, c.label, c.mtus, c.step) for c in ranked[:MAX_CANDIDATES])
    treatment = index.treatments[primary]
    ref = TreatmentRef(treatment.id, treatment.label)
    if not citations:
        trace.append("No guideline in force addresses the treatment: decide on peer-reviewed evidence "
                     "(LC 4610.5(c)(2)(B); 8 CCR 9792.21.1(a)(2)(C)).")
        return ServiceResolution(service.text, Outcome.NOT_ADDRESSED, ref, reading.quantity, None, (), (),
                                 tuple(trace), tuple(problems), body_regions=tuple(sorted(regions)), phase=phase)
    lineage = frozenset(a for a, _ in index.treatment_ancestors.get(primary, ((primary, 0),)))
    ctx = Context(request.facts, reading.quantity, conditions, phase, lineage, request.date)
    results = evaluate(ranked[0].section, ctx, index)
    if reading.compound:
        results.append(_compound_rule(reading, case, index))
    return ServiceResolution(service.text, Outcome.RESOLVED, ref, reading.quantity, citations[0], citations,
                             tuple(results), tuple(trace), tuple(problems),
                             body_regions=tuple(sorted(regions)), phase=phase)


def decide_phase(facts: Facts, on: date, reading: ServiceReading, diagnoses: DiagnosisReading) -> tuple[str, str]:
    if facts.phase:
        return PHASE_NAMES[facts.phase], f"Phase: {facts.phase}, as given."
    if facts.surgery_date and facts.surgery_date <= on < facts.surgery_date + POSTSURGICAL_PERIOD:
        return "PostSurgical", f"Phase: post-surgical (surgery on {facts.surgery_date}, within the post-surgical period)."
    if reading.postoperative or (diagnoses.status_post and facts.surgery_date is None and reading.regions):
        return "PostSurgical", "Phase: post-surgical (the request or diagnoses say the service follows surgery)."
    if facts.date_of_injury:
        if on - facts.date_of_injury >= CHRONIC_AFTER:
            return "Chronic", f"Phase: chronic (pain since the injury on {facts.date_of_injury}, 3 months or more)."
        return "Acute", f"Phase: acute or subacute (injury on {facts.date_of_injury}, under 3 months)."
    return "Chronic", ("Phase: not given and no date of injury; ranked as chronic, the usual case of a disputed "
                       "service. Give phase or date_of_injury to decide it.")


def _compound_id(reading: ServiceReading, index: GuidelineIndex) -> str:
    """A compound is governed by the guidance for compounded topicals."""
    # CPMTG Topical analgesics holds the compound rule; a cream or patch compound is governed there.
    order = ("tx:topical-analgesics", "tx:compounded-topicals") if reading.topical else (
        "tx:compounded-topicals", "tx:topical-analgesics")
    for node in order:
        if node in index.treatments:
            return node
    return reading.treatment_ids[0]


def _compound_rule(reading: ServiceReading, case: Case, index: GuidelineIndex) -> CriterionResult:
    """CPMTG Topical analgesics: a compound with any ingredient that is not recommended is not."""
    not_recommended, unknown = [], []
    for ingredient in reading.treatment_ids:
        topical = _topical_form(ingredient, index)
        ranked = candidates(topical, case, index)
        label = index.treatments[ingredient].label
        if not ranked:
            unknown.append(label)
        elif ranked[0].section.recommendation == "NotRecommended":
            not_recommended.append(f"{label} ({ranked[0].section.label})")
    text = "A compounded product is not recommended if any ingredient is not recommended."
    if not_recommended:
        return CriterionResult("rule:compound-ingredients", text + " Not recommended: " + "; ".join(not_recommended),
                               Status.NOT_MET)
    if unknown:
        return CriterionResult("rule:compound-ingredients", text + " No guidance found for: " + ", ".join(unknown),
                               Status.INSUFFICIENT_INFORMATION, ("ingredient_guidance",))
    return CriterionResult("rule:compound-ingredients", text, Status.MET)


def _topical_form(ingredient: str, index: GuidelineIndex) -> str:
    for candidate in (f"{ingredient}-topical", f"{ingredient}-patch"):
        if candidate in index.treatments:
            return candidate
    return ingredient


def _unmatched(service: ServiceInput, reading: ServiceReading, trace: list[str], problems: list[str],
               index: GuidelineIndex) -> ServiceResolution:
    ids = reading.treatment_ids or reading.suggestions
    suggestions = tuple(TreatmentRef(i, index.treatments[i].label) for i in ids if i in index.treatments)
    if reading.ambiguous:
        outcome = Outcome.AMBIGUOUS
        problems.append("the service matches several treatments: "
                        + ", ".join(s.label for s in suggestions) + "; name one or pass its id")
    else:
        outcome = Outcome.UNKNOWN_SERVICE
        hint = ("; did you mean " + ", ".join(s.label for s in suggestions) + "?") if suggestions else ""
        problems.append("the service matches no treatment of the graph" + hint)
    return ServiceResolution(service.text, outcome, None, reading.quantity, None, (), (), tuple(trace),
                             tuple(problems), suggestions)


def _read_trace(reading: ServiceReading, index: GuidelineIndex) -> str:
    if not reading.treatment_ids:
        return "Service: no treatment matched."
    names = ", ".join(index.treatments[i].label for i in reading.treatment_ids if i in index.treatments)
    kind = "compound of" if reading.compound else "several treatments:" if reading.ambiguous else "treatment"
    extras = [f"quantity {reading.quantity:g}" if reading.quantity is not None else "no fixed quantity"]
    if reading.topical:
        extras.append("topical")
    if reading.retrospective:
        extras.append("retrospective")
    return f"Service: {kind} {names} (matched by {reading.matched_by}; {', '.join(extras)})."


def _sequence_trace(ranked: list[Candidate], on: date, index: GuidelineIndex) -> list[str]:
    lines = []
    mtus = [c for c in ranked if c.mtus]
    if mtus:
        lines.append(f"Step 1, MTUS in force on {on}: {len(mtus)} section(s) address the service; "
                     f"the first governs (LC 4604.5: presumed correct).")
    else:
        lines.append(f"Step 1, MTUS in force on {on}: silent on the service; go to the next step "
                     "(8 CCR 9792.21.1(a)(2)).")
    if ranked:
        lines.append("Governing: " + ranked[0].why + ".")
        others = [c for c in ranked[1:] if not c.mtus]
        if others and mtus:
            lines.append(f"{len(others)} non-MTUS section(s) (ACOEM/ODG) are listed for comparison only.")
    return lines


def _with_ancestors(ids: tuple[str, ...], index: GuidelineIndex) -> frozenset[str]:
    return frozenset(a for i in ids for a, _ in index.condition_ancestors.get(i, ((i, 0),)))
