"""What the resolver answers, as values: one ServiceResolution per requested service."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from kg.drug_list import DrugListStatus
from kg.mme import OpioidDose


class Outcome(StrEnum):
    RESOLVED = "RESOLVED"  # a section governs
    NOT_ADDRESSED = "NOT_ADDRESSED"  # the treatment is known, no guideline in force addresses it
    # the text matches no treatment; see suggestions in problems
    UNKNOWN_SERVICE = "UNKNOWN_SERVICE"
    AMBIGUOUS = "AMBIGUOUS"  # the text matches several treatments equally well


class Status(StrEnum):
    MET = "MET"
    NOT_MET = "NOT_MET"
    INSUFFICIENT_INFORMATION = "INSUFFICIENT_INFORMATION"


@dataclass(frozen=True, slots=True)
class Citation:
    guideline: str  # MTUS CPMTG, MTUS ACOEM, ..., ACOEM, ODG, Other
    mtus: bool
    document: str  # as letters print it: "Low Back Complaints"
    edition: str | None
    chapter: str | None
    section: str
    pages: str | None
    text: str
    evidence_step: int
    section_id: str
    document_id: str
    recommendation: str
    # how sure: "verified against the regulation", "seen in letters" or "unverified" (the cited
    # section's confidence mark in plain words), the mark itself, and where the section is from
    confidence: str = "unverified"
    confidence_mark: str | None = None
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "guideline": self.guideline,
            "mtus": self.mtus,
            "document": self.document,
            "edition": self.edition,
            "chapter": self.chapter,
            "section": self.section,
            "pages": self.pages,
            "text": self.text,
            "evidence_step": self.evidence_step,
            "section_id": self.section_id,
            "document_id": self.document_id,
            "recommendation": self.recommendation,
            "confidence": self.confidence,
            "confidence_mark": self.confidence_mark,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class CriterionResult:
    id: str
    text: str
    status: Status
    needs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "status": self.status.value,
            "needs": list(self.needs),
        }


@dataclass(frozen=True, slots=True)
class TreatmentRef:
    id: str
    label: str


class ServiceResolution(NamedTuple):
    """The answer for one requested service. A named tuple: immutable like the other values, and
    built in a third of the time of a frozen dataclass on the request path (bench/ row 1)."""

    request: str
    outcome: Outcome
    treatment: TreatmentRef | None
    quantity: float | None
    governing: Citation | None
    candidates: tuple[Citation, ...]
    criteria: tuple[CriterionResult, ...]
    trace: tuple[str, ...]
    problems: tuple[str, ...]
    suggestions: tuple[TreatmentRef, ...] = ()
    body_regions: tuple[str, ...] = ()
    phase: str | None = None
    drug_list: DrugListStatus | None = None  # a drug's MTUS Drug List standing on the date
    dose: OpioidDose | None = None  # an opioid's daily MME and the thresholds judged on it

    def to_json(self) -> dict[str, Any]:
        quantity = self.quantity
        if isinstance(quantity, float) and quantity.is_integer():
            quantity = int(quantity)
        return {
            "request": self.request,
            "outcome": self.outcome.value,
            "treatment": {"id": self.treatment.id, "label": self.treatment.label}
            if self.treatment
            else None,
            "quantity": quantity,
            "governing": self.governing.to_json() if self.governing else None,
            "candidates": [c.to_json() for c in self.candidates],
            "criteria": [c.to_json() for c in self.criteria],
            "trace": list(self.trace),
            "problems": list(self.problems),
            "suggestions": [{"id": s.id, "label": s.label} for s in self.suggestions],
            "body_regions": list(self.body_regions),
            "phase": self.phase,
            "drug_list": self.drug_list.to_json() if self.drug_list else None,
            "dose": self.dose.to_json() if self.dose else None,
        }
