"""Candidates for a treatment on a date, ordered by the legal search sequence in force then.

8 CCR 9792.21.1 (from 2015-04-20): the MTUS in force on the date first; only where it is silent,
the most current ACOEM or ODG; then other guidelines; then studies. Before it, 9792.25 (from
2009-07-18) and 9792.22 (from 2007-06-15): the MTUS, then other evidence-based guidelines, then
studies; before any MTUS, LC 4604.5 made ACOEM presumptively correct. The steps are data
(gl:EvidenceStep, each with the dates of its rule); this module only decides which step each
section's document belongs to on the date and, inside a step, which section fits the case best.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kg import model as m
from kg import vocab
from kg.index import GuidelineIndex

# ODG is an online text updated continuously and cited undated ("Non-MTUS Citation ODG"), so
# its chapters count as current on any date; other documents only from their publication.
CONTINUOUSLY_UPDATED_FAMILIES = ("ODG",)
# Phase names of requests (Facts.phase) to the ontology's gl:Phase individuals.
PHASE_NAMES = {
    "acute": vocab.Phase.ACUTE,
    "subacute": vocab.Phase.SUBACUTE,
    "chronic": vocab.Phase.CHRONIC,
    "postsurgical": vocab.Phase.POST_SURGICAL,
}


@dataclass(frozen=True, slots=True)
class Case:
    """What ranking needs to know of the case."""

    on: date
    phase: str  # Acute, Subacute, Chronic, PostSurgical
    regions: frozenset[str]
    conditions: frozenset[str]  # matched conditions and all their ancestors


@dataclass(frozen=True, slots=True)
class Candidate:
    section: m.Section
    label: str  # the citation label: MTUS ... when in force, else the document's own
    mtus: bool
    step: int
    rank: tuple[int, ...]
    why: str

    @property
    def weak(self) -> bool:
        """Only a mention, or reached through a whole service category: the guideline does not
        really address this treatment, so it counts as silent (9792.21.1(a)(2))."""
        return bool(self.rank[0])


# A section that only mentions a treatment, or addresses only a whole service category
# ("medications", "passive modalities"), ranks after every section, of any step, that
# addresses the treatment or its class.
MENTION_PENALTY = 100


# document -> its standing on a date (document_standing) and whether its edition is the one
# current then (edition_known_on), as far as read
Standings = dict[str, tuple[tuple[str, bool, int] | None, bool]]


@dataclass(frozen=True, slots=True)
class Reached:
    """A section a treatment reaches, with what of its rank does not depend on the case."""

    section: m.Section
    document: m.Document
    distance: int  # from the treatment to the treatment the section addresses, + MENTION_PENALTY
    weak: int
    devotion: int
    recency: int
    regions: frozenset[str]  # the section's body regions, else its document's
    fit_regions: frozenset[str]  # those a case's regions are matched with (`_region_fit`)
    phases: frozenset[str]
    applies_to: frozenset[str]
    why: str  # what follows the citation label in the governing line


def reach(treatment_id: str, index: GuidelineIndex) -> tuple[Reached, ...]:
    """The sections a treatment reaches, each once, in the order the search meets them: those
    addressing it or a broader treatment, nearest first, then those mentioning them. Whether a
    section fits a case never depends on the path that reached it, so the first path counts."""
    out: list[Reached] = []
    seen: set[str] = set()
    lineage = index.treatment_ancestors.get(
        treatment_id, ((treatment_id, 0),)
    )  # with distances: they rank
    for links, penalty in (
        (index.sections_by_treatment, 0),
        (index.sections_mentioning, MENTION_PENALTY),
    ):
        for ancestor, distance in lineage:
            for section_id in links.get(ancestor, ()):
                if section_id not in seen:
                    seen.add(section_id)
                    out.append(
                        _reached(index.sections[section_id], distance + penalty, ancestor, index)
                    )
    return tuple(out)


def _reached(section: m.Section, distance: int, via: str, index: GuidelineIndex) -> Reached:
    document = index.documents[section.document_id]
    weak = int(
        distance >= MENTION_PENALTY
        or (distance > 0 and index.treatments[via].kind == vocab.TreatmentKind.SERVICE_CATEGORY)
    )
    how = "directly" if distance == 0 else f"through {index.treatments[via].label}"
    if distance >= MENTION_PENALTY:
        how = "in passing (it mentions it)"
    return Reached(
        section,
        document,
        distance,
        weak,
        _devotion(document, via, index),
        -(document.publication_date.toordinal() if document.publication_date else 0),
        frozenset(section.body_regions or document.body_regions),
        _fit_regions(section, document),
        frozenset(section.phases),
        frozenset(section.applies_to),
        f": {document.letter_title}, {section.label} addresses the treatment {how}",
    )


def candidates(
    treatment_id: str,
    case: Case,
    index: GuidelineIndex,
    standings: Standings | None = None,
    reached: tuple[Reached, ...] | None = None,
) -> list[Candidate]:
    """`standings`: the documents' standings on the case's date already read (filled as they are
    read); `reached`: the treatment's `reach`, when the caller keeps it."""
    standings = {} if standings is None else standings
    steps = index.steps_on(case.on)  # the search rule in force on the date
    found = []
    for r in reach(treatment_id, index) if reached is None else reached:
        document = r.document
        known = standings.get(document.id)
        if known is None:
            known = standings[document.id] = (
                document_standing(document, case.on, index, steps),
                edition_known_on(document, case.on, index),
            )
        standing, current = known
        if standing is None:
            continue
        region = _region_fit(r.fit_regions, case)
        phase = _phase_fit(r.phases, case)
        if region is None or phase is None or not _condition_family_fits(document, case):
            continue
        label, mtus, step = standing
        rank = (
            r.weak,
            step,
            r.devotion,
            _document_phase_fit(document, case),
            phase,
            r.distance,
            region,
            _condition_fit(r.applies_to, case),
            _diagnosis_support(r.regions, case, index),
            # of two editions of a continuously updated guideline, the one current on the date
            0 if current else 1,
            r.recency,
        )
        found.append(Candidate(r.section, label, mtus, step, rank, label + r.why))
    return sorted(found, key=lambda c: c.rank)


def ranking_scope(
    treatment_id: str, index: GuidelineIndex
) -> tuple[frozenset[str], frozenset[str], bool]:
    """The conditions the treatment's sections apply to, and the body regions (bar the whole
    body) they are written for: a case's condition neither among the first nor lying in one of
    the second ranks its candidates as if the case had it not (only `_condition_fit` and
    `_diagnosis_support` read them), so a cache of rankings may key on the case's other ones.
    Third: whether a section's guideline is written for one condition family
    (`_condition_family_fits`), where every condition of the case counts and none may be dropped."""
    reached = reach(treatment_id, index)
    return (
        frozenset(x for r in reached for x in r.applies_to),
        frozenset(x for r in reached for x in r.regions) - {vocab.BodyRegion.SYSTEMIC},
        any(r.document.devoted_to_conditions for r in reached),
    )


def _devotion(document: m.Document, via: str, index: GuidelineIndex) -> int:
    """0 when the whole document is devoted to the treatment's class (the Opioids or Acupuncture
    guideline for an opioid or acupuncture): the specific guideline before the general one."""
    if not document.devoted_to:
        return 1
    return 0 if set(index.treatment_lineage(via)) & set(document.devoted_to) else 1


def document_standing(
    document: m.Document,
    on: date,
    index: GuidelineIndex,
    steps: tuple[m.EvidenceStep, ...] | None = None,
) -> tuple[str, bool, int] | None:
    """(label, is MTUS, step order) of a document on a date, or None when a reviewer cannot use it
    then (left the MTUS, a DWC guideline not yet in force, not yet published). The one rule of which
    documents count on a date: the resolver and the lookups (`kg.lookup.documents_as_of`) share
    it."""
    in_force = index.adoptions_on(document.id, on)
    if in_force:
        return in_force[0].citation_label, True, _step_of("MTUS", steps or index.steps_on(on))
    adoptions = [index.adoptions[a] for a in index.adoptions_by_document.get(document.id, ())]
    if any(a.effective_until is not None and a.effective_until <= on for a in adoptions):
        return (
            None  # it left the MTUS: superseded guidance, not "the most current" (9792.21.1(a)(2))
        )
    if adoptions and (document.family == "DWC" or document.publication_date is None):
        # a DWC guideline not yet in force; or a version known only from the AD order that adopted
        # it (its publication date unknown): it counts from that order, never before
        return None
    if (
        document.family not in CONTINUOUSLY_UPDATED_FAMILIES
        and document.publication_date
        and document.publication_date > on
    ):
        return None  # not yet published on the date
    return document.citation_label, False, _step_of(document.family, steps or index.steps_on(on))


def _step_of(family: str, steps: tuple[m.EvidenceStep, ...]) -> int:
    """The step of the sequence in force on the date that searches the family (before 2015 the
    rule had no ACOEM/ODG step of its own: they were among the other guidelines)."""
    for step in steps:
        if family in step.families or (family == "MTUS" and step.is_mtus):
            return step.order
    return max((s.order for s in steps), default=3)


def _fit_regions(section: m.Section, document: m.Document) -> frozenset[str]:
    regions = set(section.body_regions or document.body_regions)
    if regions <= set(document.body_regions):
        # a chapter's topic covers every region of its chapter: ODG's "Low Back - Lumbar &
        # Thoracic" and ACOEM's "Neck and Upper Back" topics apply to the thoracic spine too
        regions |= set(document.body_regions)
    return frozenset(regions)


def _region_fit(regions: frozenset[str], case: Case) -> int | None:
    """`regions`: the section's as `_fit_regions` reads them."""
    whole_body = not regions or vocab.BodyRegion.SYSTEMIC in regions
    if not case.regions:  # nothing says where: whole-body guidance before a region's chapter
        return 0 if whole_body else 2
    if whole_body:
        return 1
    return 0 if regions & case.regions else None  # another region's chapter does not apply


def _document_phase_fit(document: m.Document, case: Case) -> int:
    """A guideline written for one phase (the CPMTG for chronic pain, 8 CCR 9792.23.5(b) and
    9792.24.2; the Post-Surgical guideline, 9792.24.3) before general chapters in that phase."""
    if not document.phases:
        return 1
    return 0 if case.phase in document.phases else 2


def _phase_fit(phases: frozenset[str], case: Case) -> int | None:
    if phases == {vocab.Phase.POST_SURGICAL} and case.phase != vocab.Phase.POST_SURGICAL:
        return None  # the post-surgical guideline needs a surgery (8 CCR 9792.24.3)
    if not phases:
        return 1
    if case.phase in phases or (case.phase == vocab.Phase.SUBACUTE and vocab.Phase.ACUTE in phases):
        return 0
    return 2


def _diagnosis_support(regions: frozenset[str], case: Case, index: GuidelineIndex) -> int:
    """Between chapters of regions that all fit the case, the region more of the diagnoses lie in
    first (issue 14: the diagnoses break a tie between regions, not the more recent edition).
    Negative: more support ranks first. `regions`: the section's, else its document's."""
    regions = regions - {vocab.BodyRegion.SYSTEMIC}
    if not regions or len(case.regions) < 2:
        return 0
    conditions = index.conditions
    return -sum(
        1
        for c in case.conditions
        if c in conditions and not regions.isdisjoint(conditions[c].body_regions)
    )


def _condition_family_fits(document: m.Document, case: Case) -> bool:
    """A guideline written for one family of conditions (the PTSD and Acute Stress Disorder
    guideline; Work-Related Asthma; Interstitial Lung Disease) does not address a case whose
    diagnoses all lie outside that family: a depression case between 2019-04-18 and 2020-09-21,
    when the PTSD guideline was the MTUS's only mental-health one, finds the MTUS silent and the
    search goes on (8 CCR 9792.21.1(a)(2)). With no diagnosis read, nothing rules it out."""
    devoted = document.devoted_to_conditions
    return not devoted or not case.conditions or not case.conditions.isdisjoint(devoted)


def other_condition_families(treatment_id: str, case: Case, index: GuidelineIndex) -> list[str]:
    """The titles of MTUS guidelines in force that address the treatment but are written for a
    condition family none of the case's diagnoses lie in (what the trace says was passed over)."""
    found: list[str] = []
    for r in reach(treatment_id, index):
        if r.weak or not r.document.devoted_to_conditions:
            continue  # a mention or a whole category would not have governed anyway
        if r.document.letter_title in found or _condition_family_fits(r.document, case):
            continue
        standing = document_standing(r.document, case.on, index)
        if standing is not None and standing[1] and _region_fit(r.fit_regions, case) is not None:
            found.append(r.document.letter_title)
    return found


def _condition_fit(applies_to: frozenset[str], case: Case) -> int:
    if not applies_to:
        return 1
    return 0 if applies_to & case.conditions else 2


def edition_known_on(document: m.Document, on: date, index: GuidelineIndex) -> bool:
    """Whether the document's edition is the one current on the date. Always for a fixed text;
    for ODG, sold as annual editions updated in between (FACTS-2.md C: WLDI, then MCG from 2017),
    only within its edition's year or up to the next ODG edition the graph holds: on other dates
    the graph holds the topic under an edition that is not the current one, and says so."""
    if document.family not in CONTINUOUSLY_UPDATED_FAMILIES:
        return True
    start, until = _edition_span(document, index)
    return start is not None and start <= on and (until is None or on < until)


def edition_boundaries(index: GuidelineIndex) -> set[date]:
    """The dates on which an edition of a continuously updated guideline becomes or stops being
    the current one (what a cache of rankings must not straddle)."""
    found: set[date] = set()
    for document in index.documents.values():
        if document.family in CONTINUOUSLY_UPDATED_FAMILIES:
            start, until = _edition_span(document, index)
            found.update(d for d in (start, until) if d is not None)
    return found


def _edition_span(document: m.Document, index: GuidelineIndex) -> tuple[date | None, date | None]:
    edition = index.editions.get(document.edition_id)
    if edition is None or (edition.publication_date is None and edition.year is None):
        return None, None
    start = edition.publication_date or date(edition.year or 1, 1, 1)
    later = sorted(
        e.publication_date or date(e.year or 1, 1, 1)
        for e in index.editions.values()
        if e.family == edition.family and e.id != edition.id
    )
    until = next((d for d in later if d > start), None)
    year_end = date(start.year + 1, 1, 1)  # an annual edition: the next one was out a year on
    return start, min(until, year_end) if until else year_end
