"""The reading of a determination letter: frozen values whose `to_json` gives the fixture shape.

Key order and null/omitted keys follow the hand-checked readings in
shared/fixtures/letters/dev/*.json, so a reading can be compared with them key for key.
`Determination.from_json` is its exact inverse: a reading held as JSON (a fixture, a stored
`guideline-kg parse --json` line) becomes the same values the reader makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Number = int | float


def _fields(
    d: dict[str, Any], what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
    """Refuse a misspelt or missing key (read leniently, a typo would come back as an empty field),
    and an optional key given as null, which `to_json` leaves out rather than writes."""
    missing = [k for k in required if k not in d]
    unknown = [k for k in d if k not in required and k not in optional]
    null = [k for k in optional if k in d and d[k] is None]
    if missing or unknown or null:
        raise ValueError(f"{what}: missing {missing}, unknown {unknown}, null optional {null}")


@dataclass(frozen=True)
class Citation:
    """One guideline a decision was based on, as printed on a guideline line."""

    text: str
    mtus: bool
    guideline: str | None
    topic: str | None = None
    pages: str | None = None
    edition: str | None = None
    chapter: str | None = None
    sections: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "mtus": self.mtus,
            "guideline": self.guideline,
            "topic": self.topic,
            "pages": self.pages,
            "edition": self.edition,
            "chapter": self.chapter,
            "sections": self.sections,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Citation:
        _fields(
            d,
            "citation",
            ("text", "mtus", "guideline", "topic", "pages", "edition", "chapter", "sections"),
        )
        return cls(**d)


@dataclass(frozen=True)
class PartialCertification:
    """A request the Claims Administrator authorized in part; only the remainder went to IMR."""

    original_request: str
    authorized_by_claims_administrator: str
    imr_eligible_portion: str
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "original_request": self.original_request,
            "authorized_by_claims_administrator": self.authorized_by_claims_administrator,
            "imr_eligible_portion": self.imr_eligible_portion,
        }
        if self.note is not None:  # the readings carry `note` only for the "authorized Y" phrasing
            out["note"] = self.note
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PartialCertification:
        _fields(
            d,
            "partial_certification",
            ("original_request", "authorized_by_claims_administrator", "imr_eligible_portion"),
            ("note",),
        )
        return cls(**d)


@dataclass(frozen=True)
class Item:
    """One disputed item/service and its decision."""

    heading: str
    service: str
    quantity: Number | None
    decision: str
    claims_administrator_citations: tuple[Citation, ...] = ()
    reviewer_citations: tuple[Citation, ...] = ()
    rationale_text: str = ""
    quantity_unit: str | None = None
    partial_certification: PartialCertification | None = None

    @property
    def medically_necessary(self) -> bool:
        # IMR overturns a UR denial exactly when it finds the service medically necessary.
        return self.decision == "Overturned"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "heading": self.heading,
            "service": self.service,
            "quantity": self.quantity,
        }
        if self.quantity_unit is not None:
            out["quantity_unit"] = self.quantity_unit
        out["decision"] = self.decision
        out["medically_necessary"] = self.medically_necessary
        out["claims_administrator_citations"] = [
            c.to_json() for c in self.claims_administrator_citations
        ]
        out["reviewer_citations"] = [c.to_json() for c in self.reviewer_citations]
        out["rationale_text"] = self.rationale_text
        if self.partial_certification is not None:
            out["partial_certification"] = self.partial_certification.to_json()
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Item:
        _fields(
            d,
            "item",
            (
                "heading",
                "service",
                "quantity",
                "decision",
                "medically_necessary",
                "claims_administrator_citations",
                "reviewer_citations",
                "rationale_text",
            ),
            ("quantity_unit", "partial_certification"),
        )
        item = cls(
            heading=d["heading"],
            service=d["service"],
            quantity=d["quantity"],
            decision=d["decision"],
            claims_administrator_citations=tuple(
                map(Citation.from_json, d["claims_administrator_citations"])
            ),
            reviewer_citations=tuple(map(Citation.from_json, d["reviewer_citations"])),
            rationale_text=d["rationale_text"],
            quantity_unit=d.get("quantity_unit"),
            partial_certification=(
                PartialCertification.from_json(d["partial_certification"])
                if "partial_certification" in d
                else None
            ),
        )
        # medically_necessary follows from the decision: a reading that says otherwise has no value.
        if d["medically_necessary"] != item.medically_necessary:
            raise ValueError(
                f"item: medically_necessary {d['medically_necessary']}, decision {item.decision}"
            )
        return item


@dataclass(frozen=True)
class Case:
    """The injured worker's case as the letter states it (header injury date, summary wording)."""

    age: int | None = None
    sex: str | None = None
    date_of_injury: str | None = None
    diagnoses: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "age": self.age,
            "sex": self.sex,
            "date_of_injury": self.date_of_injury,
            "diagnoses": list(self.diagnoses),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Case:
        _fields(d, "case", ("age", "sex", "date_of_injury", "diagnoses"))
        return cls(
            age=d["age"],
            sex=d["sex"],
            date_of_injury=d["date_of_injury"],
            diagnoses=tuple(d["diagnoses"]),
        )


@dataclass(frozen=True)
class LetterDates:
    """Dates of the letter header, ISO formatted (None when absent or impossible)."""

    date_assigned: str | None = None
    decision_date: str | None = None
    ur_denial_date: str | None = None

    @property
    def empty(self) -> bool:
        return all(d is None for d in (self.date_assigned, self.decision_date, self.ur_denial_date))

    def to_json(self) -> dict[str, Any]:
        return {
            "date_assigned": self.date_assigned,
            "decision_date": self.decision_date,
            "ur_denial_date": self.ur_denial_date,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LetterDates:
        _fields(d, "letter_dates", ("date_assigned", "decision_date", "ur_denial_date"))
        return cls(**d)


@dataclass(frozen=True)
class Determination:
    """A whole IMR Final Determination Letter, read."""

    case: Case
    items: tuple[Item, ...]
    dwc_case_number: str | None = None
    letter_dates: LetterDates = field(default_factory=LetterDates)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        # Abridged letters (no header block) have neither key in their readings.
        if self.dwc_case_number is not None:
            out["dwc_case_number"] = self.dwc_case_number
        if not self.letter_dates.empty:
            out["letter_dates"] = self.letter_dates.to_json()
        out["case"] = self.case.to_json()
        out["items"] = [i.to_json() for i in self.items]
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Determination:
        """The Determination whose `to_json()` is `d`; ValueError for a key it would not write."""
        _fields(d, "determination", ("case", "items"), ("dwc_case_number", "letter_dates"))
        dates = LetterDates.from_json(d["letter_dates"]) if "letter_dates" in d else LetterDates()
        if "letter_dates" in d and dates.empty:  # to_json leaves an empty header out
            raise ValueError("determination: letter_dates present but empty")
        return cls(
            case=Case.from_json(d["case"]),
            items=tuple(map(Item.from_json, d["items"])),
            dwc_case_number=d.get("dwc_case_number"),
            letter_dates=dates,
        )
