"""How many units a disputed service asks for, read from its wording: by the letter reader and by
the resolver alike (neither imports the other).

Conventions (shared/fixtures/letters/dev/README.md): a count after '#' wins; then 'QTY: N';
frequency x weeks when both are fixed ('2 times a week for 4 weeks' -> 8); 'N times M' -> N*M;
'N sessions/visits' in words or digits (several such counts are summed); 'times N' / 'xN';
'One container'; grams/ml only when no count is given. Ranges and durations give None.
"""

from __future__ import annotations

import re

from kg.text import CuedPattern, cue_text

Number = int | float

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "twenty-four": 24, "thirty": 30, "forty": 40, "sixty": 60, "ninety": 90,
    "a": 1, "an": 1, "once": 1, "twice": 2,
}  # fmt: skip
_WORD_ALT = "|".join(sorted((w for w in _WORDS if len(w) > 2), key=len, reverse=True))
# A number: digits, or a number word optionally followed by its digits in parentheses.
_N = rf"(?:\d+|(?:{_WORD_ALT})(?:\s*\(\d+\))?)"
_FREQ = rf"(?P<f>{_N}|once|twice)(?:\s+(?:times?|visits?|sessions?|x))?\s*(?:a|per|/|each)\s*week"
_WEEKS = rf"(?:for|times|x|over)\s+(?P<w>{_N})\s+weeks?"
# Every pattern below reads a count in digits or in a number word: a text holding neither asks for
# no fixed quantity, and is told by substring tests alone.
_NUMBER_CUES = (*"0123456789", *(w for w in _WORDS if len(w) > 2))

# Each pattern with its cues: the lower-case strings every match of it holds (kg.text.CuedPattern);
# most services hold few of them, and a substring test costs a fraction of a search.
_HASH = CuedPattern(re.compile(r"#\s*(\d+)"), ("#",))
_QTY = CuedPattern(re.compile(r"\bQTY\s*:?\s*(\d+)", re.IGNORECASE), ("qty",))
_RANGE = CuedPattern(
    re.compile(
        rf"\b{_N}\s*(?:-|to|or)\s*{_N}\s*(?:times?|x|sessions?|visits?|weeks?|treatments?)\b",
        re.IGNORECASE,
    ),
    ("time", "x", "session", "visit", "week", "treatment"),
    also=("-", "to", "or"),
)
_FREQ_WEEKS = CuedPattern(
    re.compile(rf"\b{_FREQ}\W+(?:\w+\W+){{0,3}}?{_WEEKS}", re.IGNORECASE), ("week",)
)
_TIMES_PRODUCT = CuedPattern(
    re.compile(
        rf"\b(?P<a>{_N})\s+(?:times|x)\s+(?P<b>{_N})\b(?!\s*(?:a|per|each)\s+(?:week|day|month))",
        re.IGNORECASE,
    ),
    ("times", "x"),
)
_SESSIONS = CuedPattern(
    re.compile(
        rf"\b(?P<n>{_N})\s+(?:\(\d+\)\s+)?(?:[A-Za-z/-]+\s+){{0,3}}?"
        r"(?:sessions?|visits?|treatments?)\b(?!\s*(?:a|per)\s+week)",
        re.IGNORECASE,
    ),
    ("session", "visit", "treatment"),
)
_TIMES_N = CuedPattern(
    re.compile(rf"(?:\btimes\s+|(?<![A-Za-z])[xX×]\s*)(?P<n>{_N})\b(?!\s*(?:a|per)\s+week)"),
    ("times", "x", "×"),
)
_CONTAINER = CuedPattern(
    re.compile(rf"\b(?P<n>{_N})\s+(?:containers?|tubes?|bottles?|boxes?|jars?)\b", re.I),
    ("container", "tube", "bottle", "box", "jar"),
)
_MASS = CuedPattern(
    re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>grams?|gms?|g|ml|mls|milliliters?)\b", re.I),
    ("g", "ml", "milliliter"),
)


def _number(token: str) -> int | None:
    """'12' -> 12, 'Eight (8)' -> 8, 'twelve' -> 12; None for what is not a number."""
    token = token.strip().lower()
    paren = re.search(r"\((\d+)\)", token)
    if paren:
        return int(paren.group(1))
    if token.isdigit():
        return int(token)
    return _WORDS.get(token)


def _tidy(value: float) -> Number:
    return int(value) if float(value).is_integer() else value


def parse_quantity(service_text: str) -> tuple[Number | None, str | None]:
    """(quantity, unit) of a service: unit is None for counts, 'grams'/'ml' for amounts."""
    text = service_text[:2000]  # services are one line; the bound keeps odd input cheap
    cues_in = cue_text(text)
    if cues_in is not None and not any(map(cues_in.__contains__, _NUMBER_CUES)):
        return None, None
    if m := _HASH.search(text, cues_in):
        return int(m.group(1)), None
    if m := _QTY.search(text, cues_in):
        return int(m.group(1)), None
    if _RANGE.search(text, cues_in):
        return None, None  # '2-3 times a week for 4-6 weeks': no fixed count
    if m := _FREQ_WEEKS.search(text, cues_in):
        f, w = _number(m.group("f")), _number(m.group("w"))
        if f is not None and w is not None:
            return f * w, None
    if m := _TIMES_PRODUCT.search(text, cues_in):
        a, b = _number(m.group("a")), _number(m.group("b"))
        if a is not None and b is not None:
            return a * b, None
    counts = [
        n for m in _SESSIONS.finditer(text, cues_in) if (n := _number(m.group("n"))) is not None
    ]
    if counts:
        return sum(counts), None  # 'two ... sessions ... and eight ... sessions' -> 10
    if m := _TIMES_N.search(text, cues_in):
        if (n := _number(m.group("n"))) is not None:
            return n, None
    if m := _CONTAINER.search(text, cues_in):
        if (n := _number(m.group("n"))) is not None:
            return n, None
    if m := _MASS.search(text, cues_in):
        unit = "ml" if m.group("u").lower().startswith("m") else "grams"
        return _tidy(float(m.group("n"))), unit
    return None, None
