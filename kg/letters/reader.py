"""read_letter / read_letter_bytes / read_letter_file: any input -> Determination or LetterError."""

from __future__ import annotations

from pathlib import Path

from kg.errors import LetterError
from kg.letters.header import read_case, read_header
from kg.letters.items import read_items
from kg.letters.model import Determination
from kg.letters.pdf import is_pdf, pdf_text
from kg.letters.text import normalise_lines, split_sections

MAX_BYTES = 5 * 1024 * 1024  # real letters are 10-60 kB; anything past this is not one


def read_letter(text: str) -> Determination:
    """Read the text of an IMR Final Determination Letter (2013-15 or 2016-17 layout)."""
    if not isinstance(text, str):
        raise LetterError("not_text", "read_letter expects str; use read_letter_bytes for bytes")
    if len(text) > MAX_BYTES:
        raise LetterError("too_large", f"letter text exceeds {MAX_BYTES} characters")
    if not text.strip():
        raise LetterError("empty", "the letter has no text")
    lines = normalise_lines(text.replace("\x00", ""))
    header, summary, issues = split_sections(lines)
    items = read_items(issues)
    if not items:
        raise LetterError("not_a_letter", "no disputed item with an Upheld/Overturned decision")
    number, dates, injury = read_header(header)
    return Determination(
        case=read_case(summary, injury),
        items=items,
        dwc_case_number=number,
        letter_dates=dates,
    )


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else cp1252, else latin-1 (which never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_letter_bytes(data: bytes) -> Determination:
    """Read a letter given as bytes: a PDF (by its %PDF- signature) or encoded text."""
    if len(data) > MAX_BYTES:
        raise LetterError("too_large", f"input exceeds {MAX_BYTES} bytes")
    if not data.strip():
        raise LetterError("empty", "the input is empty")
    try:
        text = pdf_text(data) if is_pdf(data) else decode(data)
        return read_letter(text)
    except LetterError:
        raise
    except Exception as exc:  # noqa: BLE001 - the contract: a Determination or a LetterError
        # Only the exception type is reported: its message could quote letter text.
        reason = f"letter could not be read ({type(exc).__name__})"
        raise LetterError("unreadable", reason) from None


def read_letter_file(path: str | Path) -> Determination:
    """Read a letter file, text or PDF, judged by its content rather than its name."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise LetterError("too_large", f"file exceeds {MAX_BYTES} bytes")
        data = p.read_bytes()
    except OSError as exc:
        reason = f"cannot read the file ({type(exc).__name__})"
        raise LetterError("unreadable_file", reason) from None
    return read_letter_bytes(data)
