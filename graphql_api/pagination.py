"""Relay-style connections (edges with cursors, pageInfo, totalCount) over kg.lookup pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from kg.lookup import Page

T = TypeVar("T")


@strawberry.type(description="Where a list goes on after this page.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more results follow this page.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next page (null on an empty page)."
    )


@strawberry.type(description="One result of a list, with the cursor that points at it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque position of this result; pass as `after` to continue."
    )
    node: T = strawberry.field(description="The result.")


@strawberry.type(description="One page of a ranked list of results.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The results of this page, best first.")
    page_info: PageInfo = strawberry.field(description="Whether and where the list goes on.")
    total_count: int = strawberry.field(description="How many results the whole list has.")

    @classmethod
    def of(cls, page: Page, make: Callable[[str], T]) -> Connection[T]:
        return cls(
            edges=[Edge(cursor=c, node=make(i)) for c, i in page.items],
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            total_count=page.total,
        )
