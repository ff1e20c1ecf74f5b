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
from operator import attrgetter
from typing import NamedTuple

from kg import model as m
from kg import vocab
from kg.index import GuidelineIndex
from kg.reach import Reached, document_phase_fit, phase_fit, reach

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


class Candidate(NamedTuple):
    """A section in one case: its citation label and step on the date, and its rank (a tuple:
    smaller first). A named tuple, made for each of a treatment's sections on each new case."""

    section: m.Section
    label: str  # the citation label: MTUS ... when in force, else the document's own
    mtus: bool
    step: int
    rank: tuple[int, ...]
    reason: str  # what follows the label in the governing line

    @property
    def why(self) -> str:
        return self.label + self.reason

    @property
    def weak(self) -> bool:
        """Only a mention, or reached through a whole category: the guideline does not
        really address this treatment, so it counts as silent (9792.21.1(a)(2))."""
        return bool(self.rank[0])

    @property
    def current(self) -> bool:
        """Whether the section's edition is the one current on the date (`edition_known_on`)."""
        return not self.rank[CURRENT]


# The place in a candidate's rank of whether its edition is current on the date.
CURRENT = 9


# document -> its standing on a date (document_standing) and whether its edition is the one
# current then (edition_known_on), as far as read
Standings = dict[str, tuple[tuple[str, bool, int] | None, bool]]


def reached_by(treatment_id: str, index: GuidelineIndex) -> tuple[Reached, ...]:
    """The treatment's sections as compiled with the index (kg.reach), else read now."""
    found = index.reached.get(treatment_id)
    return reach(treatment_id, index) if found is None else found


def candidates(
    treatment_id: str,
    case: Case,
    index: GuidelineIndex,
    standings: Standings | None = None,
    reached: tuple[Reached, ...] | None = None,
) -> list[Candidate]:
    """`standings`: the documents' standings on the case's date already read (filled as they are
    read); `reached`: the treatment's `reach`, when the caller keeps it. One pass over the
    treatment's compiled rows: what depends on the case is applied here, the rest was read when
    the index was built."""
    standings = {} if standings is None else standings
    steps: tuple[m.EvidenceStep, ...] | None = None  # the search rule in force on the date
    regions, conditions, phase = case.regions, case.conditions, case.phase
    several = len(regions) >= 2
    support: dict[frozenset[str], int] = {}  # the diagnoses' support by a section's regions
    found = []
    for r in reached_by(treatment_id, index) if reached is None else reached:
        document = r.document
        known = standings.get(document.id)
        if known is None:
            steps = steps or index.steps_on(case.on)
            known = standings[document.id] = (
                document_standing(document, case.on, index, steps),
                edition_known_on(document, case.on, index),
            )
        standing, current = known
        if standing is None:
            continue
        region = _region_fit(r, regions)
        if region is None:
            continue
        fits = r.phase_fits.get(phase, _UNREAD)
        if fits is _UNREAD:
            fits = _phase_fits(r, phase)
        if fits is None:
            continue
        devoted = document.devoted_to_conditions  # `_condition_family_fits`
        if devoted and conditions and conditions.isdisjoint(devoted):
            continue
        applies = r.applies_to  # the conditions the section is written for, if any
        if several:
            backed = support.get(r.regions)
            if backed is None:
                backed = support[r.regions] = _diagnosis_support(r.regions, case, index)
        else:
            backed = 0
        label, mtus, step = standing
        rank = (
            r.weak,
            step,
            r.devotion,
            fits[0],  # a guideline written for the case's phase (`document_phase_fit`)
            fits[1],  # the section's phases (`phase_fit`)
            r.distance,
            region,
            1 if not applies else 2 if applies.isdisjoint(conditions) else 0,
            backed,
            # of two editions of a continuously updated guideline, the one current on the date
            0 if current else 1,
            r.recency,
        )
        # tuple.__new__: a named tuple made without its Python-level constructor (one per row)
        found.append(_new(Candidate, (r.section, label, mtus, step, rank, r.why)))
    found.sort(key=_RANK)
    return found


_new = tuple.__new__
_RANK = attrgetter("rank")
_UNREAD = (-1, -1)  # a phase the compiled rows hold no fits for


def _phase_fits(r: Reached, phase: str) -> tuple[int, int] | None:
    """A phase the compiled rows were not read for."""
    fit = phase_fit(r.phases, phase)
    return None if fit is None else (document_phase_fit(frozenset(r.document.phases), phase), fit)


def ranking_scope(
    treatment_id: str, index: GuidelineIndex
) -> tuple[frozenset[str], frozenset[str], bool]:
    """The conditions the treatment's sections apply to, and the body regions (bar the whole
    body) they are written for: a case's condition neither among the first nor lying in one of
    the second ranks its candidates as if the case had it not (only the condition fit and
    `_diagnosis_support` read them), so a cache of rankings may key on the case's other ones.
    Third: whether a section's guideline is written for one condition family
    (`_condition_family_fits`), where every condition of the case counts and none may be dropped."""
    reached = reached_by(treatment_id, index)
    return (
        frozenset(x for r in reached for x in r.applies_to),
        frozenset(x for r in reached for x in r.regions) - {vocab.BodyRegion.SYSTEMIC},
        any(r.document.devoted_to_conditions for r in reached),
    )


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


def _region_fit(r: Reached, regions: frozenset[str]) -> int | None:
    """How a section's regions fit the case's `regions` (kg.reach.fit_region_set)."""
    if not regions:  # nothing says where: whole-body guidance before a region's chapter
        return 0 if r.whole_body else 2
    if r.whole_body:
        return 1
    return None if r.fit_regions.isdisjoint(regions) else 0  # another region's chapter: none


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


def other_condition_families(
    treatment_id: str,
    case: Case,
    index: GuidelineIndex,
    reached: tuple[Reached, ...] | None = None,
    standings: Standings | None = None,
) -> list[str]:
    """The titles of MTUS guidelines in force that address the treatment but are written for a
    condition family none of the case's diagnoses lie in (what the trace says was passed over).
    `reached` and `standings` as for `candidates`."""
    found: list[str] = []
    for r in reached_by(treatment_id, index) if reached is None else reached:
        if r.weak or not r.document.devoted_to_conditions:
            continue  # a mention or a whole category would not have governed anyway
        if r.document.letter_title in found or _condition_family_fits(r.document, case):
            continue
        known = (standings or {}).get(r.document.id)
        standing = document_standing(r.document, case.on, index) if known is None else known[0]
        if standing is not None and standing[1] and _region_fit(r, case.regions) is not None:
            found.append(r.document.letter_title)
    return found


def edition_known_on(document: m.Document, on: date, index: GuidelineIndex) -> bool:
    """Whether the document's edition is the one current on the date. Always for a fixed text;
    for ODG, sold as annual editions updated in between (FACTS-2.md C: WLDI, then MCG from 2017),
    only within its edition's year or up to the next ODG edition the graph holds: on other dates
    the graph holds the topic under an edition that is not the current one, and says so."""
    if document.family not in CONTINUOUSLY_UPDATED_FAMILIES:
        return True
    return _current(_edition_span(document, index), on)


def standings_on(dates: tuple[date, ...], index: GuidelineIndex) -> tuple[Standings, ...]:
    """For each date, every document's standing then and whether its edition is the one current
    then: what `candidates` reads for each of a treatment's rows, read for all documents at once
    (kg.resolve.cached reads it for one date of each epoch when it takes an index)."""
    spans = {
        d.id: _edition_span(d, index)
        for d in index.documents.values()
        if d.family in CONTINUOUSLY_UPDATED_FAMILIES
    }
    out = []
    for on in dates:
        steps = index.steps_on(on)
        out.append(
            {
                d.id: (document_standing(d, on, index, steps), _current(spans.get(d.id), on))
                for d in index.documents.values()
            }
        )
    return tuple(out)


def _current(span: tuple[date | None, date | None] | None, on: date) -> bool:
    """Whether a date falls in an edition's span (`_edition_span`; None: a fixed text, always)."""
    if span is None:
        return True
    start, until = span
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
