"""Text of a PDF letter, laid out like `pdftotext -layout` (what the fixtures came from)."""

from __future__ import annotations

import io
import re
from typing import Any

from kg.errors import LetterError

_MAX_PAGES = 200
# Layout extraction sometimes breaks a word where the PDF spaces its glyphs apart ("Uph eld" in
# one real DWC letter), which hides an item's decision: a line's last word after a colon (or
# alone on its line) is rejoined when the joined letters are a decision word.
_LAST_WORD = re.compile(r"(^|:)([ \t]*)([A-Za-z][A-Za-z ]{4,14}[A-Za-z])([ \t.]*)$", re.MULTILINE)
_DECISION_WORDS = frozenset(("upheld", "overturned"))


def is_pdf(data: bytes) -> bool:
    """PDF by content: the signature may follow a little leading junk."""
    return b"%PDF-" in data[:1024]


def _rejoin_decision(match: re.Match[str]) -> str:
    joined = match.group(3).replace(" ", "")
    if joined.lower() not in _DECISION_WORDS or " " not in match.group(3):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{joined}{match.group(4)}"


def _page_text(page: object) -> str:
    # Layout mode keeps lines and column gaps as pdftotext -layout does; plain mode is the
    # fallback for pages whose layout extraction fails.
    try:
        return page.extract_text(extraction_mode="layout") or ""  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on damaged content streams
        return page.extract_text() or ""  # type: ignore[attr-defined]


def _open(data: bytes) -> Any:
    """A PdfReader, decrypted when the PDF is encrypted with an empty user password.

    DWC posts every IMR letter AES-encrypted with an empty user password (copying disallowed):
    such a PDF opens for anyone, so it is read; one that needs a real password is not a letter
    we were given to read, and says so.
    """
    from pypdf import PdfReader  # imported here: text letters never pay for it

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise LetterError("encrypted_pdf", "the PDF needs a password to open")
    return reader


def pdf_text(data: bytes) -> str:
    """All pages' text; LetterError('no_text_layer') for scanned/image-only PDFs."""
    from pypdf.errors import DependencyError

    try:
        reader = _open(data)
        pages = list(reader.pages)[:_MAX_PAGES]
        text = _LAST_WORD.sub(_rejoin_decision, "\n".join(_page_text(p) for p in pages))
    except LetterError:
        raise
    except DependencyError:
        # AES objects are decrypted as pages are read; without pypdf's crypto extra that fails
        # here. Name the fix rather than a bare exception type.
        raise LetterError(
            "unreadable_pdf",
            "the PDF is AES-encrypted and the cryptography package "
            "is missing (install pypdf[crypto])",
        ) from None
    except Exception as exc:  # noqa: BLE001 - any malformed PDF
        reason = f"PDF could not be parsed ({type(exc).__name__})"
        raise LetterError("unreadable_pdf", reason) from None
    if not text.strip():
        raise LetterError("no_text_layer", "the PDF has no text layer (scanned image?)")
    return text
