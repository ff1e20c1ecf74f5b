"""The resolver: which guideline governs each disputed service, on the legal search sequence."""

from __future__ import annotations

from kg.resolve.cached import CachedResolver
from kg.resolve.engine import resolve
from kg.resolve.outcome import (
    Citation,
    CriterionResult,
    Outcome,
    ServiceResolution,
    Status,
    TreatmentRef,
)
from kg.resolve.request import Facts, ResolveRequest, ServiceInput
from kg.resolve.steps import Steps

__all__ = [
    "CachedResolver",
    "Citation",
    "CriterionResult",
    "Facts",
    "Outcome",
    "ResolveRequest",
    "ServiceInput",
    "ServiceResolution",
    "Status",
    "Steps",
    "TreatmentRef",
    "resolve",
]
