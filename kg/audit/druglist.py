"""The MTUS Drug List as a letter states it: calling the requested drug "Non-Exempt" or "Exempt"
when the list, as the graph knows it verified, says otherwise on the letter's date (or no list
applied yet, before 2018-01-01) is a finding (8 CCR 9792.27.10)."""

from __future__ import annotations

import re
from datetime import date

from kg.audit.finding import Finding
from kg.drug_list import Standing, drug_list_status
from kg.index import GuidelineIndex
from kg.letters.model import Item
from kg.resolve.service import match_treatments

# A negated "exempt" ("not an exempt drug") reads as Non-Exempt.
_NON_EXEMPT = re.compile(r"\bnon[- ]?exempt\b|\b(?:not|isn't|is not)\s+(?:an?\s+)?exempt\b", re.I)
_EXEMPT = re.compile(r"(?<!non-)(?<!non )(?<!non)\bexempt\b", re.I)
_LIST_WORDS = re.compile(r"\b(drug list|formulary|mtus drug|prospective review)\b", re.I)


def drug_list_findings(number: int, item: Item, when: date, index: GuidelineIndex) -> list[Finding]:
    """A letter calling the drug "Non-Exempt" or "Exempt" when the MTUS Drug List, as the graph
    knows it verified, says otherwise on the letter's date (or no list applied yet)."""

    text = item.rationale_text
    if _NON_EXEMPT.search(text):
        said = Standing.NON_EXEMPT
    elif _EXEMPT.search(text) and _LIST_WORDS.search(text):
        said = Standing.EXEMPT
    else:
        return []
    ids, ambiguous, _, _ = match_treatments(item.service, index)
    if len(ids) != 1 or ambiguous:
        return []
    status = drug_list_status(index, ids[0], when)
    if status is None or status.standing in (Standing.NOT_KNOWN, said):
        return []  # an unverified or missing entry cannot contradict the letter
    words = {Standing.NON_EXEMPT: "Non-Exempt", Standing.EXEMPT: "Exempt"}
    return [
        Finding(
            number,
            "drug_list_status",
            "warning" if status.standing is Standing.NO_FORMULARY else "error",
            f"The letter calls {status.drug} {words[said]}, but on {when}: {status.text}",
            f"says {words[said]}; list: {status.standing.value}"
            + (f" (v{status.list_version})" if status.list_version else ""),
        )
    ]
