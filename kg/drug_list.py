"""A requested drug's standing on the MTUS Drug List on the request date, as a value.

The MTUS Drug Formulary (8 CCR 9792.27.1-9792.27.23) applies to drugs dispensed from 2018-01-01
(9792.27.2). On a date from then on a drug is Exempt, Non-Exempt (maybe with a Special or
Perioperative Fill), Unlisted, or a compounded drug; each needs or spares prospective review
(9792.27.7-.13). The answer is only what the graph records: no entry, or an entry marked U
(unverified), is said plainly as "not known", with what the unverified entry records beside it.
Pure over the index: no I/O, no clock.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from kg import model as m
from kg import vocab
from kg.index import GuidelineIndex
from kg.per_index import per_index

DRUG_LIST_START = date(2018, 1, 1)  # 8 CCR 9792.27.2(b): drugs dispensed on or after this date
COMPOUNDED_CLASS = "tx:compounded-topicals"
# Oral suspension kits (Synapryn, Tabradol) are sold to be compounded by the pharmacy: whatever
# their brand, what is dispensed is a compounded drug (9792.27.1(d)).
COMPOUNDING_KITS = "tx:compounded-oral-suspensions"
_DRUG_KINDS = (
    vocab.TreatmentKind.DRUG,
    vocab.TreatmentKind.DRUG_CLASS,
    vocab.TreatmentKind.COMPOUNDED_PRODUCT,
)
_RULE_SOURCES = {
    "NO_FORMULARY": ("8 CCR 9792.27.2", "https://www.dir.ca.gov/DWC/MTUS/MTUS-Formulary.html"),
    "COMPOUNDED": ("8 CCR 9792.27.9", "http://www.dir.ca.gov/t8/9792_27_9.html"),
}


class Standing(StrEnum):
    EXEMPT = "EXEMPT"  # no prospective review when prescribed as the MTUS recommends
    NON_EXEMPT = "NON_EXEMPT"  # prospective review, unless Special or Perioperative Fill applies
    UNLISTED = "UNLISTED"  # not on the list version in force: prospective review
    COMPOUNDED = "COMPOUNDED"  # prospective review whatever its ingredients' status (9792.27.9)
    NOT_KNOWN = "NOT_KNOWN"  # the graph has no verified entry for the date
    NO_FORMULARY = "NO_FORMULARY"  # before 2018-01-01


_FROM_STATUS = {
    vocab.FormularyStatus.EXEMPT: Standing.EXEMPT,
    vocab.FormularyStatus.NON_EXEMPT: Standing.NON_EXEMPT,
    vocab.FormularyStatus.UNLISTED: Standing.UNLISTED,
}
_STATUS_WORDS = {
    "Exempt": "Exempt",
    "NonExempt": "Non-Exempt",
    "Unlisted": "Unlisted",
}


@dataclass(frozen=True, slots=True)
class DrugListStatus:
    """What the MTUS Drug List says of one requested drug on one date."""

    standing: Standing
    drug_id: str
    drug: str
    on: date
    text: str  # one plain sentence a reviewer can read
    list_version: str | None = None  # the version in force on the date, as far as the graph knows
    list_version_from: date | None = None
    entry_id: str | None = None
    entry_drug: str | None = None  # the drug the entry is about (oxycodone for oxycodone ER)
    recorded_status: str | None = None  # what an unverified entry records, when NOT_KNOWN
    special_fill_days: int | None = None
    perioperative_fill_days: int | None = None
    sources: tuple[str, ...] = ()
    confidence: str | None = None  # of the entry or rule; None = verified against the regulation

    @property
    def prospective_review(self) -> bool | None:
        """Whether the drug needs prospective review before dispensing (Special and
        Perioperative Fill aside); None when that is not known."""
        if self.standing is Standing.EXEMPT:
            return False
        if self.standing in (Standing.NON_EXEMPT, Standing.UNLISTED, Standing.COMPOUNDED):
            return True
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "standing": self.standing.value,
            "drug_id": self.drug_id,
            "drug": self.drug,
            "on": self.on.isoformat(),
            "text": self.text,
            "list_version": self.list_version,
            "list_version_from": self.list_version_from.isoformat()
            if self.list_version_from
            else None,
            "entry_id": self.entry_id,
            "entry_drug": self.entry_drug,
            "recorded_status": self.recorded_status,
            "special_fill_days": self.special_fill_days,
            "perioperative_fill_days": self.perioperative_fill_days,
            "prospective_review": self.prospective_review,
            "sources": list(self.sources),
            "confidence": self.confidence,
        }


def is_drug(index: GuidelineIndex, treatment_id: str) -> bool:
    treatment = index.treatments.get(treatment_id)
    return treatment is not None and treatment.kind in _DRUG_KINDS


def version_on(index: GuidelineIndex, on: date) -> tuple[m.DrugListVersion | None, bool]:
    """The list version in force on a date as far as the graph knows, and whether a later version
    the graph does not date may have replaced it (v3 in 2019: v4 and v5 are not dated)."""
    versions, starts = _versions(index)
    started = bisect_right(starts, on)
    if not started:
        return None, False
    latest = versions[started - 1]
    if latest.effective_until is not None and on >= latest.effective_until:
        return None, False  # a gap the graph cannot fill
    later = latest.effective_from < starts[-1]
    return latest, latest.effective_until is None and later


@per_index
def _versions(index: GuidelineIndex) -> tuple[tuple[m.DrugListVersion, ...], tuple[date, ...]]:
    """The list versions by the date they took effect, and those dates (read once per index)."""
    versions = tuple(sorted(index.list_versions.values(), key=lambda v: v.effective_from))
    return versions, tuple(v.effective_from for v in versions)


def drug_list_status(
    index: GuidelineIndex, treatment_id: str, on: date, *, compound: bool = False
) -> DrugListStatus | None:
    """The standing of a requested drug on a date; None when the treatment is not a drug.

    `compound`: the request names several ingredients mixed into one product."""
    treatment = index.treatments.get(treatment_id)
    if treatment is None or treatment.kind not in _DRUG_KINDS:
        return None
    # Between two dates on which a list version or an entry begins or ends, a drug stands the
    # same: its standing is read once per such period, and dated per request.
    key = (treatment_id, compound, bisect_right(_list_dates(index), on))
    kept = _standings(index)
    found = kept.get(key)
    if found is None:
        found = kept[key] = _standing(index, treatment, on, compound)
    fields, text = found
    return DrugListStatus(on=on, text=str(on).join(text), **fields)


# A standing without its date: the other fields, and its text in the parts the date joins.
Undated = tuple[dict[str, Any], tuple[str, ...]]


def _standing(index: GuidelineIndex, treatment: m.Treatment, on: date, compound: bool) -> Undated:
    treatment_id, label = treatment.id, treatment.label
    about_drug = {"drug_id": treatment_id, "drug": label}
    if on < DRUG_LIST_START:
        rule, url = _RULE_SOURCES["NO_FORMULARY"]
        return {"standing": Standing.NO_FORMULARY, **about_drug, "sources": (rule, url)}, (
            "No MTUS Drug List applied on ",
            f": the formulary covers drugs dispensed from {DRUG_LIST_START} ({rule}).",
        )
    version, maybe_later = version_on(index, on)
    where = _version_words(version, maybe_later)
    base = {
        **about_drug,
        "list_version": version.version if version else None,
        "list_version_from": version.effective_from if version else None,
    }
    # A named product (Terocin) may be a marketed combination rather than a compound made for the
    # patient (9792.27.1(d)): only ingredients written out, or an unnamed compound, are judged so.
    lineage = index.treatment_lineage(treatment_id)
    if (
        compound
        or COMPOUNDING_KITS in lineage
        or (COMPOUNDED_CLASS in lineage and not treatment.brand_names)
    ):
        rule, url = _RULE_SOURCES["COMPOUNDED"]
        return {"standing": Standing.COMPOUNDED, "sources": (rule, url), **base}, (
            f"{label} is a compounded drug: it needs prospective review before it is dispensed, "
            f"whatever the list says of its ingredients ({rule}).",
        )
    if treatment.kind == vocab.TreatmentKind.DRUG_CLASS:
        return {"standing": Standing.NOT_KNOWN, **base}, (
            f"{label} is a drug class; the MTUS Drug List ({where}) lists drugs, so the status "
            "depends on the drug requested: not known.",
        )
    entry = _entry_on(index, treatment_id, on)
    if entry is None:
        return {"standing": Standing.NOT_KNOWN, **base}, (
            f"MTUS Drug List status of {label} on ",
            f" not known: the graph holds no entry for it on {where}. Check the DWC list; a drug "
            "it does not name is Unlisted and needs prospective review (8 CCR 9792.27.10).",
        )
    status = _STATUS_WORDS.get(entry.status, entry.status)
    entry_drug = index.treatments[entry.drug_id].label
    about = "" if entry.drug_id == treatment_id else f" (the entry for {entry_drug})"
    common = {
        **base,
        "entry_id": entry.id,
        "entry_drug": entry_drug,
        "special_fill_days": entry.special_fill_days,
        "perioperative_fill_days": entry.perioperative_fill_days,
        "sources": entry.provenance.sources,
        "confidence": entry.provenance.confidence,
    }
    if entry.provenance.confidence == vocab.Confidence.U:
        return {"standing": Standing.NOT_KNOWN, "recorded_status": entry.status, **common}, (
            f"MTUS Drug List status of {label} on ",
            f" not verified: an unverified entry{about} records it as {status} ({where}). Check "
            "the DWC list.",
        )
    standing = _FROM_STATUS.get(vocab.FormularyStatus(entry.status), Standing.NOT_KNOWN)
    return {"standing": standing, **common}, (_text(standing, label, entry, where, about),)


@per_index
def _list_dates(index: GuidelineIndex) -> tuple[date, ...]:
    """Every date on which a list version or an entry begins or ends, and the list's start."""
    found = {DRUG_LIST_START}
    for dated in (*index.list_versions.values(), *index.formulary.values()):
        found.add(dated.effective_from)
        if dated.effective_until is not None:
            found.add(dated.effective_until)
    return tuple(sorted(found))


@per_index
def _standings(index: GuidelineIndex) -> dict[tuple[str, bool, int], Undated]:
    return {}  # (drug, compound, period) -> its standing, filled as drugs are asked for


def _entry_on(index: GuidelineIndex, treatment_id: str, on: date) -> m.FormularyEntry | None:
    """The entry in force for the drug, or else for the nearest broader drug (oxycodone for
    oxycodone ER): the list names ingredients. Classes are not climbed to, and a combination is
    listed only as itself (8 CCR 9792.27.16), so its ingredients are not looked at."""
    for node in index.treatment_lineage(treatment_id):
        treatment = index.treatments.get(node)
        if treatment is None or treatment.kind != vocab.TreatmentKind.DRUG and node != treatment_id:
            continue
        entries = [index.formulary[e] for e in index.formulary_by_drug.get(node, ())]
        in_force = [e for e in entries if e.in_force(on)]
        if in_force:
            return max(in_force, key=lambda e: e.effective_from)
    return None


def _version_words(version: m.DrugListVersion | None, maybe_later: bool) -> str:
    if version is None:
        return "no list version the graph dates"
    words = f"MTUS Drug List v{version.version}, in force from {version.effective_from}"
    if maybe_later:
        words += "; a later version the graph does not date may apply"
    return words


def _text(standing: Standing, label: str, entry: m.FormularyEntry, where: str, about: str) -> str:
    if standing is Standing.EXEMPT:
        return (
            f"{label} is Exempt{about} ({where}): it may be dispensed without prospective review "
            "when prescribed as the MTUS recommends (8 CCR 9792.27.10); a brand name with a "
            "generic available still needs review (9792.27.7)."
        )
    if standing is Standing.UNLISTED:
        return (
            f"{label} is not on the list{about} ({where}): an Unlisted drug needs prospective "
            "review before it is dispensed (8 CCR 9792.27.10)."
        )
    fills = []
    if entry.special_fill_days:
        fills.append(
            f"Special Fill: up to {entry.special_fill_days} days at the first visit within 7 "
            "days of injury without review (9792.27.12)"
        )
    if entry.perioperative_fill_days:
        fills.append(
            f"Perioperative Fill: up to {entry.perioperative_fill_days} days from 4 days before "
            "to 4 days after surgery (9792.27.13)"
        )
    return (
        f"{label} is Non-Exempt{about} ({where}): prospective review before it is dispensed "
        "(8 CCR 9792.27.10)" + ("; " + "; ".join(fills) if fills else "") + "."
    )
