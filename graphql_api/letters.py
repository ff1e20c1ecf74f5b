"""Determination letters over the API: `parseLetter` and `auditLetter` answer a reading of the
letter (and the audit's findings), or why the text could not be read, as data (STYLE.md §3).

Built on kg.letters.read_letter and kg.audit.audit. The letter's text is health information: it is
never logged here, and a LetterError's message never quotes it (kg.errors.LetterError).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from kg.audit import Finding as KgFinding
from kg.audit import audit, letter_date
from kg.errors import LetterError
from kg.index import GuidelineIndex
from kg.letters import (
    Case,
    Citation,
    Determination,
    Item,
    LetterDates,
    PartialCertification,
    read_letter,
)
from kg.resolve import CachedResolver


@strawberry.type(
    name="LetterCitation",
    description="One guideline a decision was based on, as the letter prints "
    "it on a guideline line (claims administrator's or reviewer's).",
)
class LetterCitation:
    text: str = strawberry.field(
        description='The citation as printed, e.g. "MTUS Chronic Pain Medical Treatment '
        'Guidelines Physical Medicine Page(s): 98-99".'
    )
    mtus: bool = strawberry.field(description="Whether the letter presents it as part of the MTUS.")
    guideline: str | None = strawberry.field(
        description="The guideline as read: MTUS CPMTG, MTUS ACOEM, ACOEM, "
        "ODG, ... (null when not recognised)."
    )
    topic: str | None = strawberry.field(description="The topic or document title printed, if any.")
    pages: str | None = strawberry.field(description='Pages printed, e.g. "58-60", if any.')
    edition: str | None = strawberry.field(
        description='Edition printed, e.g. "2nd Edition (2004)", if any.'
    )
    chapter: str | None = strawberry.field(description="Chapter printed, if any.")
    sections: str | None = strawberry.field(
        description='Section names printed after "Section(s):", if any.'
    )

    @classmethod
    def from_domain(cls, c: Citation) -> LetterCitation:
        return cls(
            text=c.text,
            mtus=c.mtus,
            guideline=c.guideline,
            topic=c.topic,
            pages=c.pages,
            edition=c.edition,
            chapter=c.chapter,
            sections=c.sections,
        )


@strawberry.type(
    name="LetterPartialCertification",
    description="A request the claims administrator authorized "
    "in part; only the remainder went to IMR.",
)
class LetterPartialCertification:
    original_request: str = strawberry.field(description="The request as originally made.")
    authorized_by_claims_administrator: str = strawberry.field(
        description="The part the claims administrator authorized."
    )
    imr_eligible_portion: str = strawberry.field(description="The part decided by IMR.")
    note: str | None = strawberry.field(
        description="The letter's own wording of the authorization, when it differs."
    )

    @classmethod
    def from_domain(cls, p: PartialCertification) -> LetterPartialCertification:
        return cls(
            original_request=p.original_request,
            authorized_by_claims_administrator=p.authorized_by_claims_administrator,
            imr_eligible_portion=p.imr_eligible_portion,
            note=p.note,
        )


@strawberry.type(
    name="LetterItem", description="One disputed item or service of the letter and its decision."
)
class LetterItem:
    heading: str = strawberry.field(description="The item's heading as printed.")
    service: str = strawberry.field(description="The service requested, read from the heading.")
    quantity: float | None = strawberry.field(
        description="Quantity requested (visits, tablets, ...), if stated."
    )
    quantity_unit: str | None = strawberry.field(
        description="What the quantity counts, when stated."
    )
    decision: str = strawberry.field(description="The IMR decision: Upheld or Overturned.")
    medically_necessary: bool = strawberry.field(
        description="Whether IMR found the service medically necessary "
        "(true exactly when the UR denial was overturned)."
    )
    claims_administrator_citations: list[LetterCitation] = strawberry.field(
        description="Guidelines the claims administrator (UR) based its decision on."
    )
    reviewer_citations: list[LetterCitation] = strawberry.field(
        description="Guidelines the IMR reviewer based the decision on."
    )
    rationale_text: str = strawberry.field(
        description="The reviewer's decision rationale, as printed."
    )
    partial_certification: LetterPartialCertification | None = strawberry.field(
        description="When the request was authorized in part: what was and what went to IMR."
    )

    @classmethod
    def from_domain(cls, i: Item) -> LetterItem:
        return cls(
            heading=i.heading,
            service=i.service,
            quantity=i.quantity,
            quantity_unit=i.quantity_unit,
            decision=i.decision,
            medically_necessary=i.medically_necessary,
            claims_administrator_citations=[
                LetterCitation.from_domain(c) for c in i.claims_administrator_citations
            ],
            reviewer_citations=[LetterCitation.from_domain(c) for c in i.reviewer_citations],
            rationale_text=i.rationale_text,
            partial_certification=LetterPartialCertification.from_domain(i.partial_certification)
            if i.partial_certification
            else None,
        )


@strawberry.type(
    name="LetterCase", description="The injured worker's case as the letter states it."
)
class LetterCase:
    age: int | None = strawberry.field(description="Age of the injured worker, if stated.")
    sex: str | None = strawberry.field(
        description="Sex of the injured worker as stated (male, female), if stated."
    )
    date_of_injury: date | None = strawberry.field(
        description="Date of injury, if stated and a real date."
    )
    diagnoses: list[str] = strawberry.field(
        description="Diagnoses in the letter's own words, in order."
    )

    @classmethod
    def from_domain(cls, c: Case) -> LetterCase:
        return cls(
            age=c.age,
            sex=c.sex,
            date_of_injury=_date(c.date_of_injury),
            diagnoses=list(c.diagnoses),
        )


@strawberry.type(
    name="LetterDates", description="Dates of the letter's header (null when absent or impossible)."
)
class LetterDatesType:
    date_assigned: date | None = strawberry.field(
        description="Date the case was assigned to a reviewer."
    )
    decision_date: date | None = strawberry.field(
        description="Date of the IMR final determination."
    )
    ur_denial_date: date | None = strawberry.field(
        description="Date of the utilization review denial."
    )

    @classmethod
    def from_domain(cls, d: LetterDates) -> LetterDatesType:
        return cls(
            date_assigned=_date(d.date_assigned),
            decision_date=_date(d.decision_date),
            ur_denial_date=_date(d.ur_denial_date),
        )


@strawberry.type(
    description="A determination letter, read: its case, header dates and disputed items."
)
class LetterReading:
    dwc_case_number: str | None = strawberry.field(
        description="The DWC case number (CM..), if printed."
    )
    letter_dates: LetterDatesType | None = strawberry.field(
        description="The header dates (null for an abridged letter without a header)."
    )
    case: LetterCase = strawberry.field(description="The injured worker's case.")
    items: list[LetterItem] = strawberry.field(
        description="The disputed items, in the letter's order."
    )

    @classmethod
    def from_domain(cls, d: Determination) -> LetterReading:
        return cls(
            dwc_case_number=d.dwc_case_number,
            letter_dates=None
            if d.letter_dates.empty
            else LetterDatesType.from_domain(d.letter_dates),
            case=LetterCase.from_domain(d.case),
            items=[LetterItem.from_domain(i) for i in d.items],
        )


@strawberry.type(
    description="The text could not be read as a determination letter. Nothing was read; the "
    "message never quotes the text."
)
class UnreadableLetter:
    kind: str = strawberry.field(
        description="Why, for programs: empty, not_a_letter, too_large, unreadable, ..."
    )
    message: str = strawberry.field(description="Why, in plain words.")

    @classmethod
    def of(cls, exc: LetterError) -> UnreadableLetter:
        return cls(kind=exc.kind, message=exc.message)


@strawberry.type(
    description="One problem the audit found in a letter, with the evidence (the citation or pages "
    "as printed; never the rationale)."
)
class Finding:
    item: int = strawberry.field(
        description="The item it concerns, 1-based (0 = the whole letter)."
    )
    kind: str = strawberry.field(
        description="What kind of problem: mtus_label, superseded_edition, "
        "search_sequence, pages_outside_section, impossible_page_range, wrong_region, "
        "no_citation, no_guideline_named, postsurgical_without_surgery, "
        "decision_contradicts_rationale, rationale_copied, rationale_near_copy, "
        "rationale_other_service, no_mtus_in_force, drug_list_status (the letter states an "
        "MTUS Drug List status the list contradicts on its date). Citation checks name the side "
        "(the claims administrator's or the reviewer's) in the message."
    )
    severity: str = strawberry.field(
        description="error (the letter is wrong) or warning (worth a second look)."
    )
    message: str = strawberry.field(description="The problem, in plain words.")
    evidence: str = strawberry.field(
        description="What in the letter shows it (a citation or decision as printed)."
    )

    @classmethod
    def from_domain(cls, f: KgFinding) -> Finding:
        return cls(
            item=f.item, kind=f.kind, severity=f.severity, message=f.message, evidence=f.evidence
        )


@strawberry.type(description="A letter read and audited against the graph.")
class LetterAudit:
    reading: LetterReading = strawberry.field(description="The letter, read.")
    audited_on: date = strawberry.field(
        description="The date the letter was judged on: the `date` given, else "
        "the UR denial, assigned or decision date of its header."
    )
    findings: list[Finding] = strawberry.field(
        description="What the audit found, by item (none for a sound letter)."
    )


LetterResult = Annotated[
    LetterReading | UnreadableLetter,
    strawberry.union(
        "LetterResult", description="A letter's reading, or why the text is not a readable letter."
    ),
]
AuditResult = Annotated[
    LetterAudit | UnreadableLetter,
    strawberry.union(
        "AuditResult",
        description="A letter's reading and audit findings, or why the text is not a "
        "readable letter.",
    ),
]


def parse_letter(text: str) -> LetterReading | UnreadableLetter:
    try:
        return LetterReading.from_domain(read_letter(text))
    except LetterError as exc:
        return UnreadableLetter.of(exc)


def audit_letter(
    text: str, on: date | None, index: GuidelineIndex, resolver: CachedResolver | None = None
) -> LetterAudit | UnreadableLetter:
    """`resolver`: the serving index's (`Context.resolver`), so letters share its kept answers."""
    try:
        determination = read_letter(text)
    except LetterError as exc:
        return UnreadableLetter.of(exc)
    findings = audit(determination, index, on, resolver=resolver)
    return LetterAudit(
        reading=LetterReading.from_domain(determination),
        audited_on=letter_date(determination, on),
        findings=[Finding.from_domain(f) for f in findings],
    )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
