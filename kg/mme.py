"""Morphine milligram equivalents (MME) per day of an opioid request, read as reviewers write it.

"Norco 10/325 #60", "oxycodone 10 mg q6h prn", "#120 per month", "Percocet 5/325 1 tab every 6
hours": the opioid's strength, the units a day (from the schedule, or the count over a period)
and the CDC conversion factor in force on the request date (kg/data/reference/mme_factors.tsv:
the CDC 2016 table, then the CDC 2022 table from 2022-11-04) give the daily MME. What the text
does not say is named, never assumed: "#60" alone has no period, so no daily dose.

Pure: the factor tables are packaged data read once; the functions take them as arguments.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).parent / "data" / "reference"
_NUM = r"\d+(?:\.\d+)?"
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a": 1, "an": 1}
_WORDS = r"\d+|one|two|three|four|five|six"


@dataclass(frozen=True, slots=True)
class Factor:
    id: str
    opioid: str
    treatments: tuple[str, ...]  # tx: ids whose opioid this is
    unit: str  # mg/day, or mcg/hr for transdermal fentanyl
    factor: float
    daily_dose_from: float | None  # a dose band (methadone in the CDC 2016 table)
    daily_dose_to: float | None
    table: str
    effective_from: date
    effective_until: date | None
    source: str
    confidence: str | None

    def in_band(self, daily: float) -> bool:
        low_ok = self.daily_dose_from is None or daily > self.daily_dose_from
        return low_ok and (self.daily_dose_to is None or daily <= self.daily_dose_to)


@dataclass(frozen=True, slots=True)
class Threshold:
    id: str
    label: str
    max_mme: float
    meaning: str
    effective_from: date
    effective_until: date | None
    source: str
    confidence: str | None


@dataclass(frozen=True, slots=True)
class ThresholdCheck:
    """One dose threshold judged against the request: MET (at or under), NOT_MET, or
    INSUFFICIENT_INFORMATION with the facts still needed."""

    label: str
    max_mme: float
    status: str
    needs: tuple[str, ...]
    meaning: str
    source: str
    confidence: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "max_mme": self.max_mme,
            "status": self.status,
            "needs": list(self.needs),
            "meaning": self.meaning,
            "source": self.source,
            "confidence": self.confidence,
        }


@dataclass(frozen=True, slots=True)
class OpioidDose:
    """The daily dose a request asks for, in MME, and how it was read."""

    opioid: str
    strength: float | None  # mg per unit (mcg/hr for a patch)
    strength_unit: str
    units_per_day: float | None
    daily_dose: float | None  # mg/day of the opioid (mcg/hr for a patch)
    factor: float | None
    mme_per_day: float | None
    basis: str  # how the numbers were read, in words
    missing: tuple[str, ...]  # what the text does not say
    factor_table: str | None
    factor_source: str | None
    factor_confidence: str | None
    thresholds: tuple[ThresholdCheck, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "opioid": self.opioid,
            "strength": self.strength,
            "strength_unit": self.strength_unit,
            "units_per_day": self.units_per_day,
            "daily_dose": self.daily_dose,
            "factor": self.factor,
            "mme_per_day": self.mme_per_day,
            "basis": self.basis,
            "missing": list(self.missing),
            "factor_table": self.factor_table,
            "factor_source": self.factor_source,
            "factor_confidence": self.factor_confidence,
            "thresholds": [t.to_json() for t in self.thresholds],
        }


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _float(value: str) -> float | None:
    return float(value) if value else None


@cache
def factor_table() -> tuple[Factor, ...]:
    return tuple(
        Factor(
            r["id"],
            r["opioid"],
            tuple(f"tx:{t.strip()}" for t in r["treatments"].split("|") if t.strip()),
            r["unit"],
            float(r["factor"]),
            _float(r["daily_dose_from"]),
            _float(r["daily_dose_to"]),
            r["table"],
            _date(r["effective_from"]) or date.min,
            _date(r["effective_until"]),
            r["source"],
            r["confidence"] or None,
        )
        for r in _rows("mme_factors.tsv")
    )


@cache
def threshold_table() -> tuple[Threshold, ...]:
    return tuple(
        Threshold(
            r["id"],
            r["label"],
            float(r["max_mme"]),
            r["meaning"],
            _date(r["effective_from"]) or date.min,
            _date(r["effective_until"]),
            r["source"],
            r["confidence"] or None,
        )
        for r in _rows("mme_thresholds.tsv")
    )


def opioid_of(
    treatment_ids: tuple[str, ...], factors: tuple[Factor, ...] | None = None
) -> str | None:
    """The opioid whose factor applies to the first treatment that has one (hydrocodone for
    Norco); None for a drug the CDC tables give no factor for (buprenorphine)."""
    for treatment_id in treatment_ids:
        for f in factors or factor_table():
            if treatment_id in f.treatments:
                return f.opioid
    return None


def factors_on(opioid: str, on: date, factors: tuple[Factor, ...]) -> tuple[Factor, ...]:
    """The opioid's factors in force on a date; before the first table, the first table's (no
    earlier CDC table exists: a request of 2015 is converted as the 2016 table would)."""
    own = [f for f in factors if f.opioid == opioid]
    current = [
        f
        for f in own
        if f.effective_from <= on and (f.effective_until is None or on < f.effective_until)
    ]
    if current or not own:
        return tuple(current)
    first = min(f.effective_from for f in own)
    return tuple(f for f in own if f.effective_from == first)


# --- reading the request -------------------------------------------------------------------

_TYLENOL = re.compile(r"tylenol\s*(?:with\s+codeine\s*)?(?:#|no\.?)\s*([34])\b", re.I)
_PATCH_RATE = re.compile(rf"({_NUM})\s*(?:mcg|µg|ug)\s*/\s*(?:hr|hour|h)\b", re.I)
# "10/325": the opioid first, acetaminophen or ibuprofen after; "5-325" only with a second number
# of 200 or more, so "1-2 tabs" is not read as a strength.
_COMBO = re.compile(rf"(?<![\d./])({_NUM})\s*(?:mg)?\s*/\s*{_NUM}\s*(?:mg)?(?![\d/])", re.I)
_HYPHEN_COMBO = re.compile(rf"(?<![\d./])({_NUM})\s*-\s*(?:[2-9]\d\d|1\d{{3}})\s*(?:mg)?\b", re.I)
_MG = re.compile(rf"(?<![\d./])({_NUM})\s*mg\b", re.I)
_EVERY_HOURS = re.compile(
    rf"\b(?:q|every)\s*({_NUM})(?:\s*(?:-|to)\s*({_NUM}))?\s*(?:h|hr|hrs|hours?)\b", re.I
)
_TIMES_A_DAY = re.compile(
    rf"\b({_WORDS})\s*(?:x|times)\s*(?:a|per|/|each)?\s*(?:day|daily|d)\b", re.I
)
_LATIN = (
    (re.compile(r"\bq\.?i\.?d\.?\b|\bfour times (?:a day|daily)\b", re.I), 4),
    (re.compile(r"\bt\.?i\.?d\.?\b|\bthree times (?:a day|daily)\b", re.I), 3),
    (re.compile(r"\bb\.?i\.?d\.?\b|\btwice (?:a day|daily)\b|\bq12h?\b", re.I), 2),
    (
        re.compile(
            r"\bq\.?d\.?\b|\bonce (?:a day|daily)\b|\bdaily\b|\bq\s*(?:am|pm|hs)\b|\b(?:at )?hs\b"
            r"|\bat bedtime\b|\bnightly\b",
            re.I,
        ),
        1,
    ),
)
_PER_DOSE = re.compile(
    rf"\b({_WORDS})(?:\s*(?:-|to|or)\s*({_WORDS}))?\s*(?:tabs?|tablets?|caps?|capsules?|pills?)\b"
    r"(?!\s*(?:a|per|/)\s*(?:day|month|week))",
    re.I,
)
_COUNT = re.compile(r"#\s*(\d+)|\bqty\.?\s*:?\s*(\d+)|\bquantity\s*:?\s*(\d+)", re.I)
_PERIOD = re.compile(
    r"\b(?:per|a|/|each|every|for|x)\s*(?:(\d+)[\s-]*)?(months?|mo|weeks?|wks?|days?)\b"
    r"|\b(\d+)[\s-]*days?\s*supply\b",
    re.I,
)
_SUPPLY = re.compile(r"\b(\d+|one|a)[\s-]*(months?|weeks?|days?)['’]?\s*supply\b", re.I)
_PRN = re.compile(r"\bprn\b|\bas needed\b", re.I)


def _n(token: str) -> float:
    token = token.lower()
    return float(_WORD_NUMBERS.get(token, token))


def _strength(text: str, opioid: str) -> tuple[float | None, str]:
    if opioid == "fentanyl":
        found = _PATCH_RATE.search(text)
        return (float(found.group(1)) if found else None), "mcg/hr"
    if opioid == "codeine" and (found := _TYLENOL.search(text)):
        return (30.0 if found.group(1) == "3" else 60.0), "mg"  # Tylenol #3 / #4: 30 / 60 mg
    found = _COMBO.search(text) or _MG.search(text) or _HYPHEN_COMBO.search(text)
    return (float(found.group(1)) if found else None), "mg"


def _schedule(text: str) -> tuple[float | None, str]:
    """Doses a day and how the text says it; the most the schedule allows (q4-6h: 6)."""
    if found := _EVERY_HOURS.search(text):
        hours = float(found.group(1))
        if hours > 0:
            return 24 / hours, found.group(0).strip()
    if found := _TIMES_A_DAY.search(text):
        return _n(found.group(1)), found.group(0).strip()
    for pattern, doses in _LATIN:
        if found := pattern.search(text):
            return float(doses), found.group(0).strip()
    return None, ""


def _count_and_period(text: str) -> tuple[int | None, float | None, str]:
    count = None
    if found := _COUNT.search(text):
        count = int(next(g for g in found.groups() if g))
    days, said = None, ""
    if count is None:
        return None, None, ""
    if period := _PERIOD.search(text, found.end() if found else 0):
        if period.group(3):
            days, said = float(period.group(3)), period.group(0)
        else:
            days = float(period.group(1) or 1) * _days(period.group(2))
            said = period.group(0)
    elif supply := _SUPPLY.search(text):  # "one month supply of ...", anywhere in the text
        days, said = _n(supply.group(1)) * _days(supply.group(2)), supply.group(0)
    return count, days, said.strip()


def _days(unit: str) -> float:
    unit = unit.lower()
    return 30.0 if unit.startswith("mo") else 7.0 if unit.startswith("w") else 1.0


def read_dose(
    text: str,
    treatment_ids: tuple[str, ...],
    on: date,
    *,
    days_supply: int | None = None,
    unconverted: str | None = None,
    factors: tuple[Factor, ...] | None = None,
) -> OpioidDose | None:
    """The daily MME a request asks for; None when no treatment has a CDC factor, unless the
    caller names the opioid as `unconverted` (buprenorphine): then the dose says the factor is
    missing.

    `days_supply` (a fact of the case) turns a bare count ("#60") into units a day."""
    factors = factors or factor_table()
    opioid = opioid_of(treatment_ids, factors)
    if opioid is None:
        if unconverted is None:
            return None
        return OpioidDose(
            unconverted, None, "mg", None, None, None, None,
            f"the CDC conversion tables give no MME factor for {unconverted}",
            ("conversion_factor",), None, None, None,
        )  # fmt: skip
    text = text[:2000]
    strength, unit = _strength(text, opioid)
    text = _TYLENOL.sub(" ", text)  # "Tylenol #3" names a strength, not a count
    missing: list[str] = []
    notes: list[str] = []
    if strength is None:
        missing.append("opioid_strength")
    units_per_day: float | None = None
    if opioid == "fentanyl":
        units_per_day = 1.0  # the patch rate is already per hour of wear
        notes.append("one patch worn at a time")
    else:
        per_day, said = _schedule(text)
        count, days, period = _count_and_period(text)
        per_dose = _PER_DOSE.search(text)
        units_each = _n(per_dose.group(2) or per_dose.group(1)) if per_dose else 1.0
        if per_day is not None:
            units_per_day = per_day * units_each
            notes.append(f"{per_day:g} doses a day ({said}) x {units_each:g} unit(s)")
        elif count is not None and days:
            units_per_day = count / days
            notes.append(f"#{count} over {days:g} days ({period})")
        elif count is not None and days_supply:
            units_per_day = count / days_supply
            notes.append(f"#{count} over a {days_supply}-day supply (fact days_supply)")
        else:
            missing.append("dose_frequency" if count is None else "days_supply")
        if _PRN.search(text) and units_per_day is not None:
            notes.append("as needed: the most the prescription allows")
    daily = strength * units_per_day if strength is not None and units_per_day else None
    chosen = _factor(opioid, on, daily, factors)
    mme = round(daily * chosen.factor, 1) if daily is not None and chosen is not None else None
    if chosen is None:
        missing.append("conversion_factor")
    if chosen is not None and on < chosen.effective_from:
        notes.append(f"the {chosen.table} table postdates the request: the earliest table held")
    basis = "; ".join(notes) if notes else "the text gives no schedule"
    if mme is not None and chosen is not None:
        daily_unit = "mg/day" if unit == "mg" else unit
        basis = (
            f"{strength:g} {unit} x {units_per_day:g} a day = {daily:g} {daily_unit}"
            f" x {chosen.factor:g} ({chosen.table}) = {mme:g} MME/day; " + basis
        )
    return OpioidDose(
        opioid,
        strength,
        unit,
        round(units_per_day, 3) if units_per_day is not None else None,
        round(daily, 3) if daily is not None else None,
        chosen.factor if chosen else None,
        mme,
        basis,
        tuple(missing),
        chosen.table if chosen else None,
        chosen.source if chosen else None,
        chosen.confidence if chosen else None,
    )


def _factor(
    opioid: str, on: date, daily: float | None, factors: tuple[Factor, ...]
) -> Factor | None:
    found = factors_on(opioid, on, factors)
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    if daily is None:
        return None  # a banded factor (methadone 2016) needs the daily dose
    return next((f for f in found if f.in_band(daily)), None)


def check_thresholds(
    dose: OpioidDose,
    on: date,
    other_opioid_mme: float | None,
    thresholds: tuple[Threshold, ...] | None = None,
) -> tuple[ThresholdCheck, ...]:
    """The CDC reference thresholds in force on the date (not MTUS: context for the reviewer),
    each judged on the total daily MME (this request and the other opioids taken)."""
    out = []
    for t in thresholds or threshold_table():
        if not (t.effective_from <= on and (t.effective_until is None or on < t.effective_until)):
            continue
        status, needs = judge(dose.mme_per_day, dose.missing, t.max_mme, other_opioid_mme)
        out.append(
            ThresholdCheck(t.label, t.max_mme, status, needs, t.meaning, t.source, t.confidence)
        )
    return tuple(out)


def judge(
    mme: float | None, missing: tuple[str, ...], limit: float, other_opioid_mme: float | None
) -> tuple[str, tuple[str, ...]]:
    """MET when the total daily MME is at or under the limit, NOT_MET over it; the request alone
    over the limit is NOT_MET whatever else is taken; INSUFFICIENT_INFORMATION names what is
    missing (the dose's own gaps, or the other opioids taken)."""
    if mme is None:
        return "INSUFFICIENT_INFORMATION", missing or ("daily_mme",)
    if mme > limit:
        return "NOT_MET", ()
    if other_opioid_mme is None:
        return "INSUFFICIENT_INFORMATION", ("other_opioid_mme",)
    return ("MET", ()) if mme + other_opioid_mme <= limit else ("NOT_MET", ())
