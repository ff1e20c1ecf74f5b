"""resolve(request, index): for each service, the governing citation, ranked candidates,
criteria evaluated and a trace of why. Pure: no I/O, no clock, no globals."""

from __future__ import annotations

from datetime import date, timedelta

from kg.index import GuidelineIndex
from kg.resolve.citation import cite
from kg.resolve.criteria import Context
from kg.resolve.diagnosis import DiagnosisReading
from kg.resolve.memo import ResolverMemo, memo_of
from kg.resolve.outcome import Citation, CriterionResult, Outcome, ServiceResolution, Status, TreatmentRef
from kg.resolve.request import Facts, ResolveRequest, ServiceInput
from kg.resolve.sequence import PHASE_NAMES, Candidate, Case, candidates
from kg.resolve.service import ServiceReading

# 8 CCR 9792.20: chronic pain lasts 3 months or more from onset (the 2009 text: beyond the
# anticipated healing time, which letters also put at about 3 months).
CHRONIC_AFTER = timedelta(days=90)
# 8 CCR 9792.24.3: the post-surgical physical medicine period; 6 months is the longest common
# period of the schedule and is used when the surgery's own period is not known.
POSTSURGICAL_PERIOD = timedelta(days=183)
MAX_CANDIDATES = 12


def resolve(request: ResolveRequest, index: GuidelineIndex) -> tuple[ServiceResolution, ...]:
    memo = memo_of(index)
    diagnoses, conditions = memo.diagnoses(request.diagnoses, request.date)
    if len(request.services) == 1:
        return (resolve_service(request.services[0], request, diagnoses, conditions, index, memo),)
    return tuple([resolve_service(s, request, diagnoses, conditions, index, memo) for s in request.services])


def resolve_service(service: ServiceInput, request: ResolveRequest, diagnoses: DiagnosisReading,
                    conditions: frozenset[str], index: GuidelineIndex,
                    memo: ResolverMemo | None = None) -> ServiceResolution:
    memo = memo or memo_of(index)
    on = request.date
    reading, read_line = memo.reading(service.text, service.treatment_id, service.quantity)
    problems = diagnoses.problems
    if service.treatment_id and not reading.treatment_ids:
        problems = (*problems, f"treatment id {service.treatment_id} is not in the graph")
    if not reading.treatment_ids or reading.ambiguous:
        return _unmatched(service, reading, [read_line], list(problems), index)
    facts = request.facts
    phase, phase_note = memo.phase(facts.phase, facts.surgery_date, facts.date_of_injury, on, reading.postoperative,
                                   diagnoses.status_post, bool(reading.regions))
    regions, body_regions, region_line = _regions(reading.regions or diagnoses.regions, bool(reading.regions), memo)
    primary = reading.treatment_ids[0] if not reading.compound else _compound_id(reading, index)
    ranking = memo.rankings(primary, memo.epoch(on), phase, regions, conditions)
    trace = (read_line, phase_note, region_line, *ranking.trace(on))
    citations = ranking.citations
    ref = memo.refs.get(primary)
    if ref is None:
        treatment = index.treatments[primary]
        ref = memo.refs[primary] = TreatmentRef(treatment.id, treatment.label)
    if not citations:
        trace = (*trace, "No guideline in force addresses the treatment: decide on peer-reviewed evidence "
                         "(LC 4610.5(c)(2)(B); 8 CCR 9792.21.1(a)(2)(C)).")
        return ServiceResolution(service.text, Outcome.NOT_ADDRESSED, ref, reading.quantity, None, (), (),
                                 trace, problems, body_regions=body_regions, phase=phase)
    lineage = memo.lineage.get(primary)
    if lineage is None:
        lineage = memo.lineage[primary] = frozenset(
            a for a, _ in index.treatment_ancestors.get(primary, ((primary, 0),)))
    # A compound, written out or a named product, is judged on every ingredient too (CPMTG
    # Topical analgesics: one ingredient that is not recommended makes the compound not recommended).
    product = index.treatments[primary]
    ingredients = reading.treatment_ids if reading.compound else (
        product.ingredients if product.kind == "CompoundedProduct" and (product.route == "Topical" or reading.topical)
        else ())
    if ingredients:
        lineage = lineage | frozenset(a for i in ingredients
                                      for a, _ in index.treatment_ancestors.get(_topical_form(i, index), ()))
    results = memo.criteria(ranking.governing.id, facts, reading.quantity, conditions, phase, lineage, on)
    if ingredients:
        results = (*results, _compound_rule(ingredients, primary, Case(on, phase, regions, conditions), index, memo))
    return ServiceResolution(service.text, Outcome.RESOLVED, ref, reading.quantity, citations[0], citations,
                             results, trace, problems, body_regions=body_regions, phase=phase)


def _regions(names: tuple[str, ...], from_service: bool,
             memo: ResolverMemo) -> tuple[frozenset[str], tuple[str, ...], str]:
    """The case's regions as a set, in order, and the trace line that says where they came from."""
    key = (names, from_service)
    found = memo.regions.get(key)
    if found is None:
        regions = frozenset(names)
        line = (f"Body region: {', '.join(sorted(regions)) or 'not stated'}"
                + (" (from the service)" if from_service else " (from the diagnoses)" if regions else "") + ".")
        found = (regions, tuple(sorted(regions)), line)
        if len(memo.regions) < 4096:  # region words in any order: keep a bounded table
            memo.regions[key] = found
    return found


class Ranking:
    """The ranked candidates of a treatment in one case, with their citations: what the memo keeps."""

    __slots__ = ("candidates", "citations", "governing", "_mtus", "_others", "_why", "_lines")

    def __init__(self, ranked: list[Candidate], index: GuidelineIndex) -> None:
        self.candidates = tuple(ranked)
        self.citations: tuple[Citation, ...] = tuple(
            cite(c.section, index, c.label, c.mtus, c.step) for c in _shortlist(ranked, index))
        self.governing = ranked[0].section if ranked else None
        self._mtus = sum(1 for c in ranked if c.mtus and not c.weak)
        self._others = sum(1 for c in ranked[1:] if not c.mtus)
        self._why = ranked[0].why if ranked else ""
        self._lines: dict[date, tuple[str, ...]] = {}  # the lines of up to 64 dates

    def trace(self, on: date) -> tuple[str, ...]:
        """The search-sequence lines of the trace (they name the request date)."""
        lines = self._lines.get(on)
        if lines is None:
            lines = self._trace(on)
            if len(self._lines) < 64:
                self._lines[on] = lines
        return lines

    def _trace(self, on: date) -> tuple[str, ...]:
        if self._mtus:
            lines = [f"Step 1, MTUS in force on {on}: {self._mtus} section(s) address the service; "
                     f"the first governs (LC 4604.5: presumed correct)."]
        else:
            lines = [f"Step 1, MTUS in force on {on}: silent on the service (at most a mention or a whole "
                     "service category); go to the next step (8 CCR 9792.21.1(a)(2))."]
        if self.candidates:
            lines.append("Governing: " + self._why + ".")
            if self._others and self._mtus:
                lines.append(f"{self._others} non-MTUS section(s) (ACOEM/ODG) are listed for comparison only.")
        return tuple(lines)


def _shortlist(ranked: list[Candidate], index: GuidelineIndex) -> list[Candidate]:
    """The first MAX_CANDIDATES, plus the best section of each publisher not among them, so the
    side-by-side view always has the ACOEM and ODG guidance that exists."""
    kept = ranked[:MAX_CANDIDATES]
    seen = {index.publisher_of(c.section.document_id) for c in kept}
    for candidate in ranked[MAX_CANDIDATES:]:
        publisher = index.publisher_of(candidate.section.document_id)
        if publisher not in seen:
            seen.add(publisher)
            kept.append(candidate)
    return kept


def _ranking(treatment_id: str, case: Case, index: GuidelineIndex, memo: ResolverMemo) -> Ranking:
    """The case's ranking, memoized per (treatment, date epoch, phase, regions, conditions)."""
    return memo.rankings(treatment_id, memo.epoch(case.on), case.phase, case.regions, case.conditions)


def rank_case(treatment_id: str, on: date, phase: str, regions: frozenset[str], conditions: frozenset[str],
              index: GuidelineIndex) -> Ranking:
    return Ranking(candidates(treatment_id, Case(on, phase, regions, conditions), index), index)


def decide_phase(facts: Facts, on: date, reading: ServiceReading, diagnoses: DiagnosisReading) -> tuple[str, str]:
    return phase_of(facts.phase, facts.surgery_date, facts.date_of_injury, on, reading.postoperative,
                    diagnoses.status_post, bool(reading.regions))


def phase_of(given: str | None, surgery_date: date | None, date_of_injury: date | None, on: date,
             postoperative: bool, status_post: bool, has_regions: bool) -> tuple[str, str]:
    """(phase, trace line) from what decides it: memoized per index as `ResolverMemo.phase`."""
    if given:
        return PHASE_NAMES[given], f"Phase: {given}, as given."
    if surgery_date and surgery_date <= on < surgery_date + POSTSURGICAL_PERIOD:
        return "PostSurgical", f"Phase: post-surgical (surgery on {surgery_date}, within the post-surgical period)."
    if postoperative or (status_post and surgery_date is None and has_regions):
        return "PostSurgical", "Phase: post-surgical (the request or diagnoses say the service follows surgery)."
    if date_of_injury:
        if on - date_of_injury >= CHRONIC_AFTER:
            return "Chronic", f"Phase: chronic (pain since the injury on {date_of_injury}, 3 months or more)."
        return "Acute", f"Phase: acute or subacute (injury on {date_of_injury}, under 3 months)."
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


def _compound_rule(ingredients: tuple[str, ...], governed_as: str, case: Case, index: GuidelineIndex,
                   memo: ResolverMemo) -> CriterionResult:
    """CPMTG Topical analgesics: a compound with any ingredient that is not recommended is not."""
    not_recommended, unknown = [], []
    governing = _ranking(governed_as, case, index, memo).governing
    exclusions = [index.criteria[c] for c in (governing.criteria if governing else ()) if c in index.criteria]
    for ingredient in ingredients:
        topical = _topical_form(ingredient, index)
        lineage = {a for a, _ in index.treatment_ancestors.get(topical, ((topical, 0),))}
        ranked = _ranking(topical, case, index, memo).candidates
        label = index.treatments[ingredient].label
        excluded = next((c for c in exclusions if set(c.excludes) & lineage), None)
        if excluded is not None:
            not_recommended.append(f"{label} ({excluded.text.rstrip('.')})")
        elif not ranked:
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


def read_trace(reading: ServiceReading, index: GuidelineIndex) -> str:
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
