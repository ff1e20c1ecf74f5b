"""The sections each treatment reaches, compiled once per graph (issue 15).

Which sections a treatment reaches, and what of their rank does not depend on a case (how near
the section's treatment is, whether it is only a mention or a whole service category, whether its
guideline is devoted to the treatment's class, its regions and phases), is a fact of the graph.
`compile_reach` reads it for every treatment when the index is built, so a request never walks
the treatment's lineage and links again: the resolver (kg.resolve.sequence) only applies the
case's date, phase, regions and conditions to the compiled rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from kg import model as m
from kg import vocab

if TYPE_CHECKING:
    from kg.index import GuidelineIndex

T = TypeVar("T")

# A section that only mentions a treatment, or addresses only a whole service category
# ("medications", "passive modalities"), ranks after every section, of any step, that
# addresses the treatment or its class.
MENTION_PENALTY = 100

# (how a guideline written for one phase fits the case's phase, how the section's phases fit it),
# by the case's phase; None when the section cannot apply in that phase
PhaseFits = dict[str, tuple[int, int] | None]


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
    fit_regions: frozenset[str]  # what a case's regions are matched with (sequence._region_fit)
    whole_body: bool  # no region, or the whole body: it fits a case of any region
    phases: frozenset[str]
    phase_fits: PhaseFits  # by the case's phase (`phase_fits`)
    applies_to: frozenset[str]
    why: str  # what follows the citation label in the governing line


def compile_reach(index: GuidelineIndex) -> dict[str, tuple[Reached, ...]]:
    """Every treatment's reached sections; rows of one section share their sets."""
    shared: dict[object, object] = {}
    return {t: reach(t, index, shared) for t in index.treatments}


def reach(
    treatment_id: str, index: GuidelineIndex, shared: dict[object, object] | None = None
) -> tuple[Reached, ...]:
    """The sections a treatment reaches, each once, in the order the search meets them: those
    addressing it or a broader treatment, nearest first, then those mentioning them. Whether a
    section fits a case never depends on the path that reached it, so the first path counts."""
    out: list[Reached] = []
    seen: set[str] = set()
    shared = {} if shared is None else shared
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
                    section = index.sections[section_id]
                    out.append(_reached(section, distance + penalty, ancestor, index, shared))
    return tuple(out)


def _reached(
    section: m.Section,
    distance: int,
    via: str,
    index: GuidelineIndex,
    shared: dict[object, object],
) -> Reached:
    document = index.documents[section.document_id]
    weak = int(
        distance >= MENTION_PENALTY
        or (distance > 0 and index.treatments[via].kind == vocab.TreatmentKind.SERVICE_CATEGORY)
    )
    how = "directly" if distance == 0 else f"through {index.treatments[via].label}"
    if distance >= MENTION_PENALTY:
        how = "in passing (it mentions it)"
    fit_regions = _one(shared, fit_region_set(section, document))
    phases = _one(shared, frozenset(section.phases))
    fits_key = ("phase fits", frozenset(document.phases), phases)
    if fits_key not in shared:
        shared[fits_key] = phase_fits(frozenset(document.phases), phases)
    return Reached(
        section,
        document,
        distance,
        weak,
        _devotion(document, via, index),
        -(document.publication_date.toordinal() if document.publication_date else 0),
        _one(shared, frozenset(section.body_regions or document.body_regions)),
        fit_regions,
        not fit_regions or vocab.BodyRegion.SYSTEMIC in fit_regions,
        phases,
        shared[fits_key],  # type: ignore[arg-type]
        _one(shared, frozenset(section.applies_to)),
        f": {document.letter_title}, {section.label} addresses the treatment {how}",
    )


def _one(shared: dict[object, object], value: T) -> T:
    """One object for equal values: a compiled graph holds each set once, not once per row."""
    return shared.setdefault(value, value)  # type: ignore[return-value]


def _devotion(document: m.Document, via: str, index: GuidelineIndex) -> int:
    """0 when the whole document is devoted to the treatment's class (the Opioids or Acupuncture
    guideline for an opioid or acupuncture): the specific guideline before the general one."""
    if not document.devoted_to:
        return 1
    return 0 if set(index.treatment_lineage(via)) & set(document.devoted_to) else 1


def fit_region_set(section: m.Section, document: m.Document) -> frozenset[str]:
    regions = set(section.body_regions or document.body_regions)
    if regions <= set(document.body_regions):
        # a chapter's topic covers every region of its chapter: ODG's "Low Back - Lumbar &
        # Thoracic" and ACOEM's "Neck and Upper Back" topics apply to the thoracic spine too
        regions |= set(document.body_regions)
    return frozenset(regions)


def phase_fits(document_phases: frozenset[str], phases: frozenset[str]) -> PhaseFits:
    """For each phase a case can be in, the two phase parts of a section's rank."""
    fits: PhaseFits = {}
    for phase in vocab.Phase:
        fit = phase_fit(phases, phase)
        fits[phase] = None if fit is None else (document_phase_fit(document_phases, phase), fit)
    return fits


def document_phase_fit(document_phases: frozenset[str], phase: str) -> int:
    """A guideline written for one phase (the CPMTG for chronic pain, 8 CCR 9792.23.5(b) and
    9792.24.2; the Post-Surgical guideline, 9792.24.3) before general chapters in that phase."""
    if not document_phases:
        return 1
    return 0 if phase in document_phases else 2


def phase_fit(phases: frozenset[str], phase: str) -> int | None:
    if phases == {vocab.Phase.POST_SURGICAL} and phase != vocab.Phase.POST_SURGICAL:
        return None  # the post-surgical guideline needs a surgery (8 CCR 9792.24.3)
    if not phases:
        return 1
    if phase in phases or (phase == vocab.Phase.SUBACUTE and vocab.Phase.ACUTE in phases):
        return 0
    return 2
