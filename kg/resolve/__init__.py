"""The resolver: which guideline governs each disputed service, on the legal search sequence."""

from __future__ import annotations

from kg.resolve.engine import resolve
from kg.resolve.outcome import Citation, CriterionResult, Outcome, ServiceResolution, Status, TreatmentRef
from kg.resolve.request import Facts, ResolveRequest, ServiceInput

__all__ = [
    "Citation",
    "CriterionResult",
    "Facts",
    "Outcome",
    "ResolveRequest",
    "ServiceInput",
    "ServiceResolution",
    "Status",
    "TreatmentRef",
    "resolve",
]
