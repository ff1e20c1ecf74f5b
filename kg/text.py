"""Text normalisation shared by every matcher (titles, treatment names, diagnoses)."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^0-9a-z%.]+")
_DOTS = re.compile(r"(?<![0-9])\.|\.(?![0-9])")
_SPACE = re.compile(r"\s+")


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
    text = _PUNCT.sub(" ", text)
    text = _DOTS.sub(" ", text)  # keep decimal points (0.025%), drop sentence dots
    return _SPACE.sub(" ", text).strip()
