"""POST /letter/pdf: the text of a determination letter's PDF, read on the server by the reader
the command line uses (kg.letters.pdf: DWC's AES-encrypted PDFs with an empty password, layout
kept), for the explorer's "Read a letter" to audit through the GraphQL API like pasted text.

The body is the PDF itself (`Content-Type: application/pdf`), at most GUIDELINE_KG_MAX_BODY_BYTES
(BodyLimitMiddleware answers 413 beyond). Letters carry health information: the bytes and the text
stay in memory, are never written to disk nor logged (the access log has the route and status only),
and the answer is marked not to be stored by any cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from graphql_api.view import media_type
from kg.errors import LetterError
from kg.letters.pdf import is_pdf, pdf_text

_PRIVATE = {"cache-control": "no-store"}
# what a reviewer is told, by the reader's kind (kg.letters.pdf)
_MESSAGES = {
    "no_text_layer": "This PDF has no text layer (a scan or an image): it cannot be read. "
    "Use the PDF DWC posts, or paste the letter's text.",
    "encrypted_pdf": "This PDF needs a password to open, so it cannot be read.",
    "unreadable_pdf": "This file could not be read as a PDF (damaged or not a PDF).",
}


def letter_pdf(time_budget_s: float) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def read(request: Request) -> JSONResponse:
        if media_type(request.headers.get("content-type")) != "application/pdf":
            return _refused(415, "not_a_pdf", "Send the PDF itself, as application/pdf.")
        data = await request.body()
        if not is_pdf(data):
            return _refused(415, "not_a_pdf", "This file is not a PDF.")
        try:
            text = await asyncio.wait_for(asyncio.to_thread(pdf_text, data), time_budget_s)
        except TimeoutError:  # the reader stops by itself after its 200 pages
            return _refused(503, "too_slow", "Reading this PDF took too long.")
        except LetterError as exc:
            return _refused(422, exc.kind, _MESSAGES.get(exc.kind, exc.message))
        return JSONResponse({"text": text}, headers=_PRIVATE)

    return read


def _refused(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"kind": kind, "message": message}, status_code=status, headers=_PRIVATE)
