"""Reader of California IMR Final Determination Letters (see shared/fixtures/letters/dev/README.md).

Pure: no I/O except `read_letter_file` (and the PDF text extraction of `read_letter_bytes`),
and never logs or prints letter text (letters carry personal health information).
"""

from __future__ import annotations

from kg.letters.model import (
    Case,
    Citation,
    Determination,
    Item,
    LetterDates,
    PartialCertification,
)
from kg.letters.reader import read_letter, read_letter_bytes, read_letter_file
from kg.quantity import parse_quantity

__all__ = [
    "Case",
    "Citation",
    "Determination",
    "Item",
    "LetterDates",
    "PartialCertification",
    "parse_quantity",
    "read_letter",
    "read_letter_bytes",
    "read_letter_file",
]
