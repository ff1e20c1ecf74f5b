"""A drug's MTUS Drug List status on a date (8 CCR 9792.27.1 ff., from 2018-01-01)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kg import model as m
from kg import vocab
from kg.index import GuidelineIndex
from kg.lookup.search import search_treatments

DRUG_LIST_START = date(2018, 1, 1)
DRUG_KINDS = (
    vocab.TreatmentKind.DRUG,
    vocab.TreatmentKind.DRUG_CLASS,
    vocab.TreatmentKind.COMPOUNDED_PRODUCT,
)


@dataclass(frozen=True, slots=True)
class FormularyFound:
    entry: m.FormularyEntry
    list_version: m.DrugListVersion | None


@dataclass(frozen=True, slots=True)
class FormularyNotKnown:
    drug_id: str
    message: str


@dataclass(frozen=True, slots=True)
class DrugNotFound:
    message: str
    suggestions: tuple[str, ...]


def formulary_status(
    index: GuidelineIndex, drug: str, on: date
) -> FormularyFound | FormularyNotKnown | DrugNotFound:
    """The MTUS Drug List status of a drug on a date, only as the graph records it; never
    guessed."""
    treatment = index.treatments.get(drug)
    if treatment is None:
        suggestions = [
            i
            for i in search_treatments(index, drug.split(":")[-1].replace("-", " "))
            if index.treatments[i].kind in DRUG_KINDS
        ][:5]
        return DrugNotFound(f"{drug} is not a treatment of the graph", tuple(suggestions))
    if treatment.kind not in DRUG_KINDS:
        return DrugNotFound(f"{treatment.label} is not a drug ({treatment.kind})", ())
    if on < DRUG_LIST_START:
        return FormularyNotKnown(
            drug,
            f"No MTUS Drug List applied on {on}: the list took effect on "
            f"{DRUG_LIST_START} (8 CCR 9792.27.1); formulary status not known.",
        )
    entries = [index.formulary[e] for e in index.formulary_by_drug.get(drug, ())]
    in_force = sorted(
        (e for e in entries if e.in_force(on)), key=lambda e: e.effective_from, reverse=True
    )
    if not in_force:
        return FormularyNotKnown(
            drug,
            f"The graph has no MTUS Drug List entry for {treatment.label} on {on}; "
            "formulary status not known.",
        )
    entry = in_force[0]
    return FormularyFound(entry, index.list_versions.get(entry.list_version_id))
