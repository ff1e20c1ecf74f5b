"""Line-level normalisation shared by the readers: one layout whatever produced the text.

Letters arrive as `pdftotext -layout` output (trailing spaces, centred headings), as older
abridged copies that are double spaced (every line followed by an empty line), or as text
that pypdf extracted. All are reduced to stripped lines with '' marking a paragraph break.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_SECTION_SUMMARY = "CLINICAL CASE SUMMARY"
_SECTION_ISSUES = "IMR ISSUES, DECISIONS AND RATIONALES"
_SECTION_HOW = "HOW THE IMR FINAL DETERMINATION WAS MADE"


def _is_double_spaced(raw: Sequence[str]) -> bool:
    """True when nearly every text line is followed by an exactly empty line (old copies)."""
    text_lines = 0
    followed = 0
    for i, line in enumerate(raw[:-1]):
        if line.strip():
            text_lines += 1
            followed += raw[i + 1] == ""
    return text_lines >= 4 and followed >= 0.8 * text_lines


def normalise_lines(text: str) -> list[str]:
    """Stripped lines; '' is a paragraph break; runs of breaks collapsed to one."""
    raw = [line.rstrip("\r") for line in text.replace("\f", "\n").split("\n")]
    if _is_double_spaced(raw):
        # The doubling empties carry no meaning; whitespace-only lines are the real breaks.
        raw = [line for line in raw if line != ""]
    out: list[str] = []
    for line in raw:
        stripped = " ".join(line.split())  # also folds the header's column padding
        if stripped or (out and out[-1]):
            out.append(stripped)
    while out and not out[-1]:
        out.pop()
    return out


def join_lines(lines: Iterable[str]) -> str:
    """Join lines with a space; a line ending in '-' is joined without one (x-/ray, URLs)."""
    parts: list[str] = []
    for line in lines:
        if not line:
            continue
        if parts and parts[-1].endswith("-"):
            parts[-1] = parts[-1] + line
        else:
            parts.append(line)
    return " ".join(parts)


def find_line(lines: Sequence[str], wanted: str, start: int = 0) -> int | None:
    """Index of the first line equal to `wanted` (case-insensitive) at or after `start`."""
    target = wanted.casefold()
    for i in range(start, len(lines)):
        if lines[i].casefold() == target:
            return i
    return None


def split_sections(lines: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """(header, case summary, issues) lines. Missing headings leave the parts empty,
    except the issues part, which then is the whole letter (abridged or odd copies)."""
    how = find_line(lines, _SECTION_HOW)
    summary = find_line(lines, _SECTION_SUMMARY)
    issues = find_line(lines, _SECTION_ISSUES)
    header_end = min(i for i in (how, summary, issues, len(lines)) if i is not None)
    header = list(lines[:header_end])
    if summary is not None:
        summary_end = issues if issues is not None and issues > summary else len(lines)
        summary_lines = list(lines[summary + 1 : summary_end])
    else:
        summary_lines = []
    issue_lines = list(lines[issues + 1 :]) if issues is not None else list(lines)
    return header, summary_lines, issue_lines


_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")


def ends_sentence(line: str) -> bool:
    """True when the line ends a sentence (so a following line starts something new)."""
    return bool(_SENTENCE_END.search(line))
