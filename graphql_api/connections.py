"""uvicorn's HTTP protocols with two bounds uvicorn does not have: the bytes and the time a client
may take to send a request's head (request line and headers).

uvicorn closes a connection idle *between* requests (timeout_keep_alive), but not one that never
sends a request, nor one that drips a header byte every few seconds; and httptools, unlike h11, has
no cap on the size of a head, so a client can make a worker hold tens of megabytes per connection.
Both are counted here the same way for either parser: from the moment a connection is waiting for a
request (accepted, or its previous response sent) until a request's head has been parsed.

Relies on the protocols' `cycle` (the request being served) and `on_response_complete`: uvicorn
>=0.55,<0.56 (guideline_kg/cli_serve.py passes these classes by import string, so workers can be
spawned).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from graphql_api.settings import Settings

log = logging.getLogger("guideline_kg.server")
TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n"
    b"connection: close\r\n\r\n"
)

_limits: tuple[int, float] | None = None


def head_limits() -> tuple[int, float]:
    """(max head bytes, head timeout in seconds), read once per process from the settings."""
    global _limits
    if _limits is None:
        settings = Settings.from_env()
        _limits = (settings.max_header_bytes, settings.header_timeout_s)
    return _limits


class HeadGuard:
    """Mixed in before a uvicorn protocol class."""

    cycle: Any
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._wait_for_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        if self._serving():  # the head is complete: what follows is the body, bounded by the app
            self._head_bytes = 0
            return
        self._head_bytes += len(data)
        if self._head_bytes > head_limits()[0] and not self.transport.is_closing():
            log.warning("connection closed: request head over %d bytes", head_limits()[0])
            self.transport.write(TOO_LARGE)
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._head_bytes = 0
        self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def _serving(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _wait_for_head(self) -> None:
        self._cancel_head_timer()
        if not self.transport.is_closing():
            self._head_timer = self.loop.call_later(head_limits()[1], self._head_timed_out)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._serving() and not self.transport.is_closing():
            self.transport.close()  # no request came in time: the socket goes back to the others

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None


class GuardedHttpToolsProtocol(HeadGuard, HttpToolsProtocol):
    pass


class GuardedH11Protocol(HeadGuard, H11Protocol):
    pass
