"""The disputed items of the "IMR ISSUES, DECISIONS AND RATIONALES" part.

An item opens with a heading ending ': Upheld' / ': Overturned' (the decision word may stand
alone on the next line), followed by the two guideline lines and the rationale. Headings can
wrap over lines, carry inner colons, or follow the previous rationale with no blank line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kg.errors import LetterError
from kg.letters.citations import read_citations
from kg.letters.model import Item, PartialCertification
from kg.letters.text import ends_sentence, join_lines
from kg.quantity import parse_quantity

_DECISIONS = ("Upheld", "Overturned")
_DECISION_END = re.compile(
    r"^(?P<head>.*?)\s*:\s*(?P<decision>Upheld|Overturned)\s*\.?$", re.IGNORECASE
)
_DECISION_ALONE = re.compile(r"^(?P<decision>Upheld|Overturned)\s*\.?$", re.IGNORECASE)
_INTRO = re.compile(r"set forth below\s*:?\s*$", re.IGNORECASE)
_MARKERS = re.compile(
    r"(?P<ca>Claims Administrator guideline\s*:)|(?P<rv>(?:MAXIMUS|Expert Reviewer) guideline\s*:)"
    r"|(?P<rat>Decision rationale\s*:)",
    re.IGNORECASE,
)
_MAX_HEADING_LINES = 12  # the longest real heading wraps over six lines
_MAX_HEADING_CHARS = 2000  # ... and is ~400 characters; longer is not a heading
MAX_ITEMS = 500  # real letters have 1-15 items

_NOTE_AUTHORIZED_OTHER = (
    "Claims Administrator authorized an alternative/modified service; "
    "the whole original request remained IMR eligible"
)
# "X was the original request. Y was authorized by the Claims Administrator. The remaining
# IMR eligible portion of the original request, Z is"  /  "... The Claims Administrator
# authorized Y, leaving the original request IMR eligible. The original request, X is".
_PARTIAL_REMAINING = re.compile(
    r"(?P<orig>.+?)\s+was the original request\.\s+(?P<auth>.+?)\s+was authorized by the Claims"
    r" Administrator\.\s+The remaining IMR eligible portion of the original request,?\s*"
    r"(?P<elig>.+?)(?:,?\s+is)?",
    re.IGNORECASE | re.DOTALL,
)
_PARTIAL_WHOLE = re.compile(
    r"(?P<orig>.+?)\s+was the original request\.\s+The Claims Administrator authorized\s+"
    r"(?P<auth>.+?),?\s+leaving the original request IMR eligible\.\s+The original request,?\s*"
    r"(?P<elig>.+?)(?:,?\s+is)?",
    re.IGNORECASE | re.DOTALL,
)
_SENTENCE_BOUNDARY = re.compile(r"[.!?][\"'”’)]*\s+")


@dataclass(frozen=True)
class _Heading:
    start: int  # first line of the heading
    end: int  # line holding the decision word
    text: str
    decision: str
    lead: str  # text of the first line before the heading (belongs to the previous item)


def _decision_at(lines: Sequence[str], i: int) -> tuple[str, str] | None:
    """(heading part on this line, decision) when line i closes a heading."""
    if m := _DECISION_END.match(lines[i]):
        return m.group("head"), m.group("decision").capitalize()
    if (m := _DECISION_ALONE.match(lines[i])) and i > 0 and lines[i - 1].endswith(":"):
        return "", m.group("decision").capitalize()
    return None


def _partial_tail(paragraph: str) -> str | None:
    """The partial-certification heading at the end of a paragraph, or None.
    It starts at the sentence holding the last 'was the original request'."""
    if len(paragraph) > 2 * _MAX_HEADING_CHARS:
        return None  # keeps the lazy full matches below cheap
    at = paragraph.lower().rfind(" was the original request.")
    if at < 0:
        return None
    start = 0
    for m in _SENTENCE_BOUNDARY.finditer(paragraph, 0, at):
        start = m.end()
    tail = paragraph[start:]
    if _PARTIAL_REMAINING.fullmatch(tail) or _PARTIAL_WHOLE.fullmatch(tail):
        return tail
    return None


def _heading_before(
    lines: Sequence[str], end: int, head_part: str, floor: int
) -> tuple[int, str, str]:
    """(first line, text, lead) of the heading that closes on line `end`; `lead` is the part
    of the first line that still belongs to the previous rationale (normally '')."""
    # The heading's paragraph: back to a blank line, the previous item or the section intro.
    first = end
    while first - 1 >= floor and lines[first - 1] and end - first < _MAX_HEADING_LINES:
        if _INTRO.search(lines[first - 1]):
            break
        first -= 1
    body = list(lines[first:end]) + ([head_part] if head_part else [])
    if not head_part and body and body[-1].endswith(":"):
        body[-1] = body[-1][:-1].rstrip()  # 'two sessions is:' / 'Upheld' on the next line
    # Partial certifications: the heading holds full sentences, so find it by its wording.
    tail = _partial_tail(join_lines(body))
    if tail is not None:
        for k in range(len(body) - 1, -1, -1):
            joined = join_lines(body[k:])
            if len(joined) >= len(tail) and joined.endswith(tail):
                return first + k, tail, joined[: len(joined) - len(tail)].strip()
        return first, tail, ""
    # Otherwise the heading is what follows the last line ending a sentence (a glued
    # heading comes right after the previous rationale's final line).
    k = len(body) - 1
    while k > 0 and not ends_sentence(body[k - 1]):
        k -= 1
    return first + k, join_lines(body[k:]), ""


def _find_headings(lines: Sequence[str]) -> list[_Heading]:
    headings: list[_Heading] = []
    floor = 0
    for i in range(len(lines)):
        found = _decision_at(lines, i)
        if found is None:
            continue
        head_part, decision = found
        start, text, lead = _heading_before(lines, i, head_part, floor)
        text = text.strip()
        if not text or len(text) > _MAX_HEADING_CHARS:
            continue
        headings.append(_Heading(start, i, text, decision, lead))
        floor = i + 1
    return headings


def _partial(heading: str) -> tuple[str, PartialCertification | None]:
    """(service, partial certification) of a heading."""
    if m := _PARTIAL_REMAINING.fullmatch(heading):
        note = None
    elif m := _PARTIAL_WHOLE.fullmatch(heading):
        note = _NOTE_AUTHORIZED_OTHER
    else:
        return heading, None
    elig = m.group("elig").strip().rstrip(",").strip()
    pc = PartialCertification(
        original_request=m.group("orig").strip(),
        authorized_by_claims_administrator=m.group("auth").strip(),
        imr_eligible_portion=elig,
        note=note,
    )
    return elig, pc


def _block_parts(block: str) -> tuple[str, str, str]:
    """(claims administrator line, reviewer line, rationale) of an item's body."""
    found: dict[str, tuple[int, int]] = {}
    for m in _MARKERS.finditer(block):
        kind = m.lastgroup or ""
        if kind not in found:
            found[kind] = (m.start(), m.end())
    order = sorted(found.items(), key=lambda kv: kv[1][0])
    parts = {"ca": "", "rv": "", "rat": ""}
    for n, (kind, (_, content_start)) in enumerate(order):
        stop = order[n + 1][1][0] if n + 1 < len(order) else len(block)
        parts[kind] = block[content_start:stop].strip()
    return parts["ca"], parts["rv"], parts["rat"]


def read_items(lines: Sequence[str]) -> tuple[Item, ...]:
    """Every disputed item of the issues part (lines as normalised by `text.normalise_lines`)."""
    headings = _find_headings(lines)
    if len(headings) > MAX_ITEMS:
        raise LetterError("too_many_items", f"more than {MAX_ITEMS} decision headings found")
    items: list[Item] = []
    for n, h in enumerate(headings):
        stop = headings[n + 1].start if n + 1 < len(headings) else len(lines)
        lead = headings[n + 1].lead if n + 1 < len(headings) else ""
        ca, rv, rationale = _block_parts(join_lines([*lines[h.end + 1 : stop], lead]))
        service, pc = _partial(h.text)
        quantity, unit = parse_quantity(service)
        items.append(
            Item(
                heading=h.text,
                service=service,
                quantity=quantity,
                quantity_unit=unit,
                decision=h.decision,
                claims_administrator_citations=read_citations(ca),
                reviewer_citations=read_citations(rv),
                rationale_text=rationale,
                partial_certification=pc,
            )
        )
    return tuple(items)
