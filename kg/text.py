"""Text normalisation shared by every matcher (titles, treatment names, diagnoses)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

_KEPT = re.compile(r"[0-9a-z%.]+")  # what a key keeps; any other run of characters parts words
_DOTS = re.compile(r"(?<![0-9])\.|\.(?![0-9])")


def normalize(text: str) -> str:
    """Case-, punctuation- and spacing-blind key for matching names as letters spell them.

    >>> normalize("Manual therapy & manipulation")
    'manual therapy and manipulation'
    >>> normalize("NSAIDs (non-steroidal anti-inflammatory drugs)")
    'nsaids non steroidal anti inflammatory drugs'
    >>> normalize("EMG/NCS  ")
    'emg ncs'
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    # the kept runs found, not the others replaced: a service is read once per request
    key = " ".join(_KEPT.findall(text))
    if "." in key:  # keep decimal points (0.025%), drop sentence dots
        key = " ".join(_DOTS.sub(" ", key).split())
    return key


def cue_text(text: str) -> str | None:
    """The text to test cues in (CuedPattern): lower-cased; None outside ASCII, where re's case
    folding reaches letters lower() does not (there every pattern is searched)."""
    return text.lower() if text.isascii() else None


@dataclass(frozen=True, slots=True)
class CuedPattern:
    """A pattern searched only in a text holding one of its cues: lower-case strings that every
    match holds, whatever its case. Most services hold few, and testing for a substring costs a
    fraction of a search (a service is read once per request).

    >>> retro = CuedPattern(re.compile(r"\\bretro(spective)?\\b", re.IGNORECASE), ("retro",))
    >>> [bool(retro.search(t, cue_text(t))) for t in ("Retrospective review", "Lidoderm patch")]
    [True, False]
    """

    pattern: re.Pattern[str]
    cues: tuple[str, ...]
    also: tuple[str, ...] = ()  # when given, every match holds one of these too

    def search(self, text: str, cues_in: str | None) -> re.Match[str] | None:
        """pattern.search(text); `cues_in` is cue_text(text), worked out once per text."""
        if cues_in is not None and not self._holds_cue(cues_in):
            return None
        return self.pattern.search(text)

    def sub(self, replacement: str, text: str, cues_in: str | None) -> str:
        if cues_in is not None and not self._holds_cue(cues_in):
            return text
        return self.pattern.sub(replacement, text)

    def finditer(self, text: str, cues_in: str | None) -> Iterator[re.Match[str]]:
        if cues_in is not None and not self._holds_cue(cues_in):
            return iter(())
        return self.pattern.finditer(text)

    def _holds_cue(self, cues_in: str) -> bool:
        return any(map(cues_in.__contains__, self.cues)) and (
            not self.also or any(map(cues_in.__contains__, self.also))
        )
