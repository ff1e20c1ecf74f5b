"""Letters as DWC posts them: AES-encrypted PDFs with an empty user password, read through
`guideline-kg parse`.

The PDFs are built here (fpdf2 for the text layer, pypdf to encrypt) from the synthetic letters;
the real dev PDFs in ../shared are read, when present, only to compare decisions with their text.
"""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import fpdf
import pytest

from guideline_kg.cli import main
from tests.conftest import DATA, TESTS

LETTERS = DATA / "letters"
SYNTHETIC = sorted(LETTERS.glob("synthetic-*.txt"))


def _text_pdf(text: str) -> bytes:
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Courier", size=8)
    for line in text.split("\n"):
        pdf.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _image_only_pdf() -> bytes:
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a "scan": marks on the page, no text
    return bytes(pdf.output())


def _encrypted(data: bytes, user_password: str = "") -> bytes:
    """As DWC does it: AES, an owner password, and (for DWC) an empty user password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-only", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _parse(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["parse", str(path), "--json"])
    line = json.loads(capsys.readouterr().out)
    line.pop("file")
    return code, line


@pytest.mark.parametrize("letter", SYNTHETIC, ids=lambda p: p.stem)
def test_an_aes_encrypted_pdf_with_an_empty_password_reads_like_its_text(
    letter: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / f"{letter.stem}.pdf"
    pdf.write_bytes(_encrypted(_text_pdf(letter.read_text(encoding="utf-8"))))
    assert b"/AESV3" in pdf.read_bytes()  # the test really encrypts with AES
    code, from_pdf = _parse(pdf, capsys)
    assert code == 0, from_pdf
    assert from_pdf == _parse(letter, capsys)[1]


def test_a_pdf_that_needs_a_password_is_a_typed_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "locked.pdf"
    pdf.write_bytes(
        _encrypted(_text_pdf(SYNTHETIC[0].read_text(encoding="utf-8")), user_password="s3cret")
    )
    code, line = _parse(pdf, capsys)
    assert code == 1
    assert line["error"]["kind"] == "encrypted_pdf"
    assert "password" in line["error"]["message"]


def test_an_encrypted_pdf_without_a_text_layer_is_a_typed_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(_encrypted(_image_only_pdf()))
    code, line = _parse(pdf, capsys)
    assert code == 1
    assert line["error"]["kind"] == "no_text_layer"


def test_a_decision_word_split_by_the_extraction_still_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One real DWC PDF spaces the glyphs of a heading's "Upheld" so that extraction gives "Uph eld".
    letter = LETTERS / "synthetic-2016-sections.txt"
    text = letter.read_text(encoding="utf-8")
    split = text.replace("4 weeks: Upheld", "4 weeks: Uph eld").replace("\nUpheld\n", "\nUph eld\n")
    assert split.count("Uph eld") == 2
    pdf = tmp_path / "split.pdf"
    pdf.write_bytes(_encrypted(_text_pdf(split)))
    code, from_pdf = _parse(pdf, capsys)
    assert code == 0 and from_pdf == _parse(letter, capsys)[1]


def test_the_declared_pdf_dependency_brings_aes_support() -> None:
    # A fresh install takes its dependencies from here: without the crypto extra every DWC PDF
    # fails with DependencyError, whatever happens to be installed on a developer's machine.
    from packaging.requirements import Requirement

    project = tomllib.loads((TESTS.parent / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]
    pypdf = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == "pypdf"]
    assert len(pypdf) == 1 and "crypto" in pypdf[0].extras
    assert any(s.operator == "<" for s in pypdf[0].specifier), "an upper bound: the major we test"


# dev-012: layout extraction splits a decision word there ("Uph eld"), see the test above.
REAL = ("dev-001", "dev-003", "dev-004", "dev-010", "dev-012", "dev-017")


def test_real_dwc_pdfs_give_the_decisions_of_their_text(
    letters_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdfs, texts = letters_dir / "dev-pdf", letters_dir / "dev"
    if not pdfs.is_dir():
        pytest.skip(f"the shared letter PDFs ({pdfs}) are not in this checkout")
    for name in REAL:
        code, from_pdf = _parse(pdfs / f"{name}.pdf", capsys)
        assert code == 0, f"{name}: {from_pdf.get('error')}"  # the error never quotes the letter
        from_text = _parse(texts / f"{name}.txt", capsys)[1]
        # Only case numbers and decisions are compared (and shown on failure): never letter text.
        assert from_pdf["dwc_case_number"] == from_text["dwc_case_number"], name
        assert [i["decision"] for i in from_pdf["items"]] == [
            i["decision"] for i in from_text["items"]
        ], name
