"""Pages of results with opaque cursors (Relay connections)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from kg.errors import InputError

MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a ranked list: the ids with their cursors, and where the list goes on."""

    items: tuple[tuple[str, str], ...]  # (cursor, id)
    has_next: bool
    total: int

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][0] if self.items else None


def cursor_of(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def offset_of(cursor: str) -> int:
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeError):
        pass
    raise InputError("'after' is not a cursor this service gave out", "after")


def page(ids: Sequence[str], first: int = 20, after: str | None = None) -> Page:
    """Relay-style slice: up to `first` items after the cursor `after`."""
    if first < 0 or first > MAX_PAGE:
        raise InputError(f"'first' must be between 0 and {MAX_PAGE}", "first")
    start = offset_of(after) + 1 if after else 0
    chosen = ids[start : start + first]
    return Page(
        tuple((cursor_of(start + n), i) for n, i in enumerate(chosen)),
        start + first < len(ids),
        len(ids),
    )
