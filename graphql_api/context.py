"""What every resolver may read: the loaded index and the request's clock and limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import strawberry

from kg.index import GuidelineIndex


@dataclass(frozen=True, slots=True)
class Context:
    index: GuidelineIndex
    today: date  # taken once per request, so "future date" checks stay pure below
    loaded_at: datetime
    max_services: int = 2000


Info = strawberry.Info[Context, None]
