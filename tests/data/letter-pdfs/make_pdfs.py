"""Writes the small PDFs of tests/data/letter-pdfs that the upload tests send (run once; the files
are committed; a folder apart from tests/data/letters, which the CLI tests read whole): a synthetic letter's text as a PDF encrypted as DWC posts them (AES-256, empty user
password), and a page with marks but no text layer, as a scan would be.

    .venv/bin/python tests/data/letter-pdfs/make_pdfs.py
"""

from __future__ import annotations

import io
from pathlib import Path

import fpdf
from pypdf import PdfReader, PdfWriter

HERE = Path(__file__).resolve().parent


def text_pdf(text: str) -> bytes:
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Courier", size=8)
    for line in text.splitlines():
        pdf.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def encrypted(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password="", owner_password="owner-only", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scan_pdf() -> bytes:
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # marks on the page, no text
    return bytes(pdf.output())


if __name__ == "__main__":
    letter = (HERE.parent / "letters" / "synthetic-2014-pages.txt").read_text(encoding="utf-8")
    (HERE / "synthetic-2014-pages.pdf").write_bytes(encrypted(text_pdf(letter)))
    (HERE / "scanned-no-text.pdf").write_bytes(scan_pdf())
