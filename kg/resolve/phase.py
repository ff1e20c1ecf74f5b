"""The phase of the case: acute, subacute, chronic or post-surgical, and the trace line that says
why."""

from __future__ import annotations

from datetime import date, timedelta

from kg.resolve.sequence import PHASE_NAMES
from kg.vocab import Phase

# 8 CCR 9792.20: chronic pain lasts 3 months or more from onset (the 2009 text: beyond the
# anticipated healing time, which letters also put at about 3 months).
CHRONIC_AFTER = timedelta(days=90)
# 8 CCR 9792.24.3: the post-surgical physical medicine period; 6 months is the longest common
# period of the schedule and is used when the surgery's own period is not known.
POSTSURGICAL_PERIOD = timedelta(days=183)


def phase_of(
    given: str | None,
    surgery_date: date | None,
    date_of_injury: date | None,
    on: date,
    postoperative: bool,
    status_post: bool,
    has_regions: bool,
) -> tuple[str, str]:
    """(phase, trace line) from the facts that decide it."""
    if given:
        return PHASE_NAMES[given], f"Phase: {given}, as given."
    if surgery_date and surgery_date <= on < surgery_date + POSTSURGICAL_PERIOD:
        return (
            Phase.POST_SURGICAL,
            f"Phase: post-surgical (surgery on {surgery_date}, within the post-surgical period).",
        )
    if postoperative or (status_post and surgery_date is None and has_regions):
        return (
            Phase.POST_SURGICAL,
            "Phase: post-surgical (the request or diagnoses say the service follows surgery).",
        )
    if date_of_injury:
        if on - date_of_injury >= CHRONIC_AFTER:
            return (
                Phase.CHRONIC,
                f"Phase: chronic (pain since the injury on {date_of_injury}, 3 months or more).",
            )
        return (
            Phase.ACUTE,
            f"Phase: acute or subacute (injury on {date_of_injury}, under 3 months).",
        )
    return Phase.CHRONIC, (
        "Phase: not given and no date of injury; ranked as chronic, the usual case of a disputed "
        "service. Give phase or date_of_injury to decide it."
    )
