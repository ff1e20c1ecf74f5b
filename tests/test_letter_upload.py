"""POST /letter/pdf (issue 17): a letter's PDF read on the server by the command line's reader, for
the explorer's "Read a letter". The PDFs are small ones made for these tests
(tests/data/letter-pdfs/make_pdfs.py): a synthetic letter encrypted as DWC posts them, and a page
without a text layer."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from graphql_api.app import create_app
from graphql_api.settings import Settings
from kg.letters.reader import read_letter, read_letter_file

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

DATA = Path(__file__).resolve().parent / "data"
PDFS = DATA / "letter-pdfs"
SETTINGS = Settings(data_dir=DATA / "graph")
PDF = {"content-type": "application/pdf"}
AUDIT = """query($text: String!) { auditLetter(text: $text) { __typename
  ... on LetterAudit { reading { dwcCaseNumber items { service decision } } findings { kind } } } }"""


def client_for(settings: Settings) -> Iterator[TestClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(settings)) as client:
            yield client


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    yield from client_for(SETTINGS)


def test_a_dwc_style_pdf_reads_as_the_command_line_reads_it(client: TestClient) -> None:
    pdf = PDFS / "synthetic-2014-pages.pdf"
    assert b"/Encrypt" in pdf.read_bytes()  # as DWC posts them
    response = client.post("/letter/pdf", content=pdf.read_bytes(), headers=PDF)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    text = response.json()["text"]
    assert read_letter(text) == read_letter_file(pdf)  # the same reading as `guideline-kg parse`
    audit = client.post("/graphql", json={"query": AUDIT, "variables": {"text": text}}).json()
    reading = audit["data"]["auditLetter"]["reading"]
    assert [i["service"] for i in reading["items"]] == [
        i.service for i in read_letter_file(pdf).items
    ]


def test_a_pdf_without_a_text_layer_gets_a_clear_message(client: TestClient) -> None:
    scan = (PDFS / "scanned-no-text.pdf").read_bytes()
    response = client.post("/letter/pdf", content=scan, headers=PDF)
    assert response.status_code == 422
    body = response.json()
    assert body["kind"] == "no_text_layer" and "no text layer" in body["message"]
    assert "paste" in body["message"]


@pytest.mark.parametrize(
    ("content", "headers", "status", "kind"),
    [
        (b"this is text, not a PDF", PDF, 415, "not_a_pdf"),
        (b"%PDF-1.7 and then nothing a PDF needs", PDF, 422, "unreadable_pdf"),
        (b"%PDF-1.7", {"content-type": "text/plain"}, 415, "not_a_pdf"),
    ],
)
def test_what_is_not_a_readable_pdf_is_refused_with_its_kind(
    client: TestClient, content: bytes, headers: dict[str, str], status: int, kind: str
) -> None:
    response = client.post("/letter/pdf", content=content, headers=headers)
    assert response.status_code == status and response.json()["kind"] == kind


def test_a_pdf_over_the_size_limit_is_refused_before_it_is_read() -> None:
    pdf = (PDFS / "synthetic-2014-pages.pdf").read_bytes()
    for client in client_for(replace(SETTINGS, max_body_bytes=len(pdf) - 1)):
        assert client.post("/letter/pdf", content=pdf, headers=PDF).status_code == 413


def test_a_letter_read_is_neither_logged_nor_written(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    pdf = PDFS / "synthetic-2014-pages.pdf"
    reading = read_letter_file(pdf)
    with caplog.at_level(logging.DEBUG):
        assert client.post("/letter/pdf", content=pdf.read_bytes(), headers=PDF).status_code == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /letter/pdf 200" in logged  # the access log has the route and status ...
    assert reading.items and reading.case.diagnoses  # ... and nothing of the letter
    assert all(item.service not in logged for item in reading.items)
    assert all(dx not in logged for dx in reading.case.diagnoses)
    assert list(tmp_path.iterdir()) == []
