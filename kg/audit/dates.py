"""The date a letter is judged on, and the finding for a letter dated before any MTUS."""

from __future__ import annotations

from datetime import date

from kg.audit.finding import Finding
from kg.letters.model import Determination
from kg.resolve.request import FIRST_MTUS_DATE

# IMR applies to UR decisions communicated on or after 2013-07-01 (LC 4610.5(a)): a letter
# without header dates is dated no earlier than that, nor before the injury.
IMR_START = date(2013, 7, 1)


def _header_date(determination: Determination) -> tuple[str, date] | None:
    """The header date a letter is judged on, with the field it came from."""
    for key in ("ur_denial_date", "date_assigned", "decision_date"):
        value = getattr(determination.letter_dates, key)
        if value:
            try:
                return key, date.fromisoformat(value)
            except ValueError:
                continue
    return None


def letter_date(determination: Determination, on: date | None = None) -> date:
    if on is not None:
        return on
    if header := _header_date(determination):
        return header[1]
    injury = determination.case.date_of_injury
    floor = date.fromisoformat(injury) if injury else IMR_START
    return max(floor, IMR_START)


def no_mtus_finding(determination: Determination, on: date | None, when: date) -> Finding:
    header = _header_date(determination)
    evidence = f"date given: {when}" if on is not None or header is None else f"{header[0]}: {when}"
    return Finding(
        0,
        "no_mtus_in_force",
        "error",
        f"The letter is dated {when}, before the first MTUS took effect ({FIRST_MTUS_DATE}): no "
        f"MTUS "
        f"was in force, so its MTUS citations and the search sequence cannot be checked (IMR "
        f"itself "
        f"began on {IMR_START}; is the date right?).",
        evidence,
    )
