"""Traffic that does not repeat (issue 15): distinct requests as letters write them.

Services, diagnoses and dates are read from the dev letters (else the synthetic test letters),
then varied the way requests vary: brand names, quantities and strengths, other dates, and a share
misspelled (one typing slip in the longest word: a swapped, dropped, doubled or wrong letter), plus
services the graph does not know (made-up product names). Every request is distinct
(service text, diagnoses, date, date of injury); the generator is seeded, so every run sends the
same traffic.

Each request is labelled with the way the resolver reads its service (`alias`: an alias phrase of
the graph; `fuzzy`: no alias phrase, a misspelled one; `unknown`: no alias phrase, a service the
graph does not hold), read with the plain, uncached pipeline when the traffic is made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kg.index import GuidelineIndex
from kg.resolve import ResolveRequest
from kg.resolve.service import match_treatments

SEED = 20261205
TODAY = date(2026, 1, 1)
MISSPELLED = 0.15
UNKNOWN = 0.05
QUANTITIES = ("", " x6", " x12", " #60", " #90", " 10mg #30", " 2x/week x 6 weeks", " qty 120")
STRENGTHS = ("5mg", "7.5mg", "10mg", "20mg", "50mg", "100mg", "325mg", "550mg")
SYLLABLES = ("zel", "vor", "quan", "trex", "lum", "dax", "piv", "oth", "mar", "ren", "sul", "kip")
UNKNOWN_TAILS = (" tablets", " 20mg #30", " program", " device", " kit", " injection", "")


@dataclass(frozen=True)
class Request:
    request: ResolveRequest
    kind: str  # alias, fuzzy, unknown (how the service is read); other: matched some other way
    source: str  # letter, brand, label, misspelled, unknown


@dataclass(frozen=True)
class LetterItem:
    service: str
    diagnoses: tuple[str, ...]
    on: str
    injury: str | None


def letter_items(folder: Path | None) -> list[LetterItem]:
    """The services of the letters with their case's diagnoses and dates (never logged)."""
    from kg.letters import read_letter

    if folder is None:
        return []
    out = []
    for path in sorted(folder.glob("*.txt")):
        determination = read_letter(path.read_text(encoding="utf-8"))
        dates = determination.letter_dates
        on = dates.ur_denial_date or dates.decision_date or dates.date_assigned
        if not on or not _iso(on):
            continue
        injury = determination.case.date_of_injury
        for item in determination.items:
            if item.service:
                out.append(
                    LetterItem(
                        item.service,
                        determination.case.diagnoses,
                        on,
                        injury if injury and _iso(injury) and injury <= on else None,
                    )
                )
    return out


def distinct_requests(
    index: GuidelineIndex, letters: Path | None, count: int = 2000, seed: int = SEED
) -> list[Request]:
    rng = random.Random(seed)
    items = letter_items(letters)
    diagnoses = [i.diagnoses for i in items if i.diagnoses] or [
        (code,) for code in sorted(index.condition_by_icd10)[:200]
    ]
    labels = sorted(t.label for t in index.treatments.values() if t.label)
    brands = sorted(b for t in index.treatments.values() for b in t.brand_names)
    seen: set[tuple[str, tuple[str, ...], str, str | None]] = set()
    out: list[Request] = []
    tries = 0
    while len(out) < count and tries < count * 20:
        tries += 1
        draw = rng.random()
        on, injury = _dates(rng)
        dx = rng.choice(diagnoses)
        if draw < UNKNOWN:
            text, source = _unknown(rng), "unknown"
        elif draw < UNKNOWN + MISSPELLED:
            base = rng.choice(items).service if items and rng.random() < 0.5 else rng.choice(labels)
            text, source = _misspell(base, rng), "misspelled"
        elif items and draw < 0.55:
            item = rng.choice(items)
            if rng.random() < 0.5:  # the letter's own date and case
                on, injury, dx = item.on, item.injury, item.diagnoses or dx
            text, source = item.service + rng.choice(QUANTITIES), "letter"
        elif brands and draw < 0.7:
            text = f"{rng.choice(brands)} {rng.choice(STRENGTHS)}{rng.choice(QUANTITIES)}"
            source = "brand"
        else:
            text, source = rng.choice(labels) + rng.choice(QUANTITIES), "label"
        key = (text, tuple(dx), on, injury)
        if key in seen or not text.strip():
            continue
        seen.add(key)
        request = ResolveRequest.parse(
            on=on,
            services=[text],
            diagnoses=list(dx),
            facts={"date_of_injury": injury} if injury else {},
            today=TODAY,
        )
        out.append(Request(request, _kind(text, source, index), source))
    return out


def _kind(text: str, source: str, index: GuidelineIndex) -> str:
    ids, _, how, _ = match_treatments(text, index)
    if how == "alias":
        return "alias"
    if source == "misspelled":
        return "fuzzy"  # no alias phrase in the text: the fuzzy path reads it
    if source == "unknown" and not ids:
        return "unknown"
    return "other"


def _dates(rng: random.Random) -> tuple[str, str]:
    on = date.fromordinal(rng.randint(date(2008, 1, 1).toordinal(), date(2025, 12, 1).toordinal()))
    injury = date.fromordinal(on.toordinal() - rng.randint(20, 2500))
    return on.isoformat(), injury.isoformat()


def _misspell(text: str, rng: random.Random) -> str:
    """One typing slip in the longest word of five letters or more (the text as it is else)."""
    words = text.split(" ")
    candidates = [n for n, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return text
    n = max(candidates, key=lambda k: (len(words[k]), -k))
    word = words[n]
    at = rng.randint(1, len(word) - 2)
    slip = rng.choice(("swap", "drop", "double", "wrong"))
    if slip == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif slip == "drop":
        word = word[:at] + word[at + 1 :]
    elif slip == "double":
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[:at] + rng.choice("aeiourstnl".replace(word[at].lower(), "")) + word[at + 1 :]
    words[n] = word
    return " ".join(words)


def _unknown(rng: random.Random) -> str:
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return name + rng.choice(UNKNOWN_TAILS)


def _iso(value: str) -> bool:
    try:
        date.fromisoformat(value)
        return True
    except ValueError:
        return False
