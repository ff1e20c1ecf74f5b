"""The letter header (case number, dates) and the case as the clinical summary states it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from kg.letters.diagnoses import read_diagnoses
from kg.letters.model import Case, LetterDates
from kg.letters.text import join_lines

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split())}
_NUMERIC_DATE = r"\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*\d{2,4}"
_LONG_DATE = r"(?:" + "|".join(m.capitalize() for m in _MONTHS) + r")\s+\d{1,2},?\s+\d{4}"
_ANY_DATE = rf"(?:{_NUMERIC_DATE}|{_LONG_DATE})"


def iso_date(raw: str) -> str | None:
    """'10/15/2016', '10-15-16', 'May 31, 2012' -> ISO; None when impossible."""
    raw = raw.strip()
    try:
        if m := re.fullmatch(r"(\d{1,2})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{2,4})", raw):
            month, day, year = (int(g) for g in m.groups())
            year += 2000 if year < 100 else 0  # two-digit years in these letters are 20xx
        elif m := re.fullmatch(r"([A-Za-z]+)\s+(\d{1,2}),?\s+(\d{4})", raw):
            month = _MONTHS.get(m.group(1).lower(), 0)
            day, year = int(m.group(2)), int(m.group(3))
        else:
            return None
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _field(text: str, label: str) -> str | None:
    """ISO date printed after a header label ('Date of Injury:   10/15/2016')."""
    m = re.search(rf"{label}:?\s*({_NUMERIC_DATE})", text)
    return iso_date(m.group(1)) if m else None


def read_header(header_lines: Sequence[str]) -> tuple[str | None, LetterDates, str | None]:
    """(DWC case number, letter dates, header date of injury)."""
    text = "\n".join(header_lines)[:20000]
    number = re.search(r"Case Number:?\s*(CM\d{2}-\d{4,8})", text)
    dates = LetterDates(
        date_assigned=_field(text, "Date Assigned"),
        decision_date=_field(text, "Decision Date"),
        ur_denial_date=_field(text, "UR Denial Date"),
    )
    return (number.group(1) if number else None), dates, _field(text, "Date of Injury")


_AGE_SEX = re.compile(
    r"\b(\d{1,3})[\s-]*(?:\(\d+\)\s*)?years?[\s-]*old,?\s+(?:[a-z]+\s+){0,2}?"
    r"(male|female|man|woman|gentleman|lady|boy|girl)\b",
    re.IGNORECASE,
)
_AGE_ONLY = re.compile(r"\b(\d{1,3})[\s-]*years?[\s-]*old\b", re.IGNORECASE)
_SEX_WORDS = {
    **dict.fromkeys(("male", "man", "gentleman", "boy"), "male"),
    **dict.fromkeys(("female", "woman", "lady", "girl"), "female"),
}
_INJURY_DATE = re.compile(
    rf"(?:injur(?:y|ed)|date of injury)\s+(?:on|of|dated)?\s*\(?({_ANY_DATE})", re.IGNORECASE
)


def _age_sex(summary: str) -> tuple[int | None, str | None]:
    if m := _AGE_SEX.search(summary):
        return int(m.group(1)), _SEX_WORDS[m.group(2).lower()]
    age = int(m.group(1)) if (m := _AGE_ONLY.search(summary)) else None
    # No sex word next to the age: fall back on the summary's pronouns.
    he = len(re.findall(r"\b(?:he|his|him)\b", summary, re.IGNORECASE))
    she = len(re.findall(r"\b(?:she|her|hers)\b", summary, re.IGNORECASE))
    sex = "male" if he > she else "female" if she > he else None
    return age, sex


def read_case(summary_lines: Sequence[str], header_injury: str | None) -> Case:
    """Age, sex, date of injury (header field first) and diagnoses from the summary."""
    summary = join_lines(summary_lines)[:200000]
    age, sex = _age_sex(summary)
    injury = header_injury
    if injury is None and (m := _INJURY_DATE.search(summary)):
        injury = iso_date(m.group(1))
    return Case(age=age, sex=sex, date_of_injury=injury, diagnoses=read_diagnoses(summary))
