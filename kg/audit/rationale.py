"""Checks of a rationale: its conclusion against the decision, and copies between items."""

from __future__ import annotations

import re

from kg.audit.copies import comparable, copied_from
from kg.audit.finding import Finding
from kg.index import GuidelineIndex
from kg.letters.model import Item
from kg.resolve.service import match_treatments
from kg.text import normalize
from kg.vocab import TreatmentKind

_NEGATED = re.compile(r"\b(not|non|isn't|wasn't|cannot|no longer)\b", re.IGNORECASE)
# Treatments too broad to say which service a rationale speaks of.
_CATEGORIES = (TreatmentKind.SERVICE_CATEGORY,)


def rationale_findings(
    number: int, item: Item, items: tuple[Item, ...], index: GuidelineIndex
) -> list[Finding]:
    out: list[Finding] = []
    rationale = item.rationale_text
    if not rationale:
        return out
    verdict = rationale_verdict(rationale)
    if verdict is not None and verdict != item.medically_necessary:
        said = "medically necessary" if verdict else "not medically necessary"
        out.append(
            Finding(
                number,
                "decision_contradicts_rationale",
                "error",
                f"The decision is {item.decision}, but the rationale concludes the service is "
                f"{said}.",
                item.decision,
            )
        )
    copy = copied_from(number, [comparable(i.rationale_text) for i in items])
    own = _family_of(item.service, index)
    spoken = _treatments_in(rationale, index)
    if own and spoken and not own & spoken:
        others = [
            n
            for n, other in enumerate(items, start=1)
            if n != number and _family_of(other.service, index) & spoken
        ]
        if others:
            copied = f" and is a copy of item {copy[0]}'s" if copy else ""
            out.append(
                Finding(
                    number,
                    "rationale_other_service",
                    "error",
                    f"The rationale speaks of item {others[0]}'s service, not of this one{copied}.",
                    item.service,
                )
            )
            return out
    if copy:
        out.append(_copy_finding(number, item, *copy))
    return out


def _copy_finding(number: int, item: Item, source: int, share: float, exact: bool) -> Finding:
    if exact:
        return Finding(
            number,
            "rationale_copied",
            "warning",
            f"The rationale is a word-for-word copy of item {source}'s.",
            item.service,
        )
    return Finding(
        number,
        "rationale_near_copy",
        "warning",
        f"The rationale repeats item {source}'s nearly word for word ({share:.0f}% of the words in "
        "the same order; a few words such as the body part or the service differ): the items "
        "were not reasoned one by one.",
        item.service,
    )


def rationale_verdict(rationale: str) -> bool | None:
    """The rationale's conclusion: True = medically necessary, False = not, None = not stated."""
    found = list(re.finditer(r"medically necessary", rationale, re.IGNORECASE))
    if not found:
        return None
    last = found[-1]
    before = rationale[max(0, last.start() - 60) : last.start()]
    clause = re.split(r"[.;:!?]", before)[-1]
    return not _NEGATED.search(clause)


def _family_of(service: str, index: GuidelineIndex) -> set[str]:
    ids, _, _, _ = match_treatments(service, index)
    family: set[str] = set()
    for node in ids:
        family |= {a for a, _ in index.treatment_ancestors.get(node, ()) if _specific(a, index)}
        family |= (
            {d for d in index.treatment_tree.predecessors(node)}
            if node in index.treatment_tree
            else set()
        )
        family.add(node)
    return family


def _treatments_in(text: str, index: GuidelineIndex) -> set[str]:
    words = normalize(text).split()
    found: set[str] = set()
    firsts = index.treatment_words.firsts
    for i in range(len(words)):
        if words[i] not in firsts:  # no treatment name begins with this word
            continue
        for n in range(min(6, len(words) - i), 0, -1):
            ids = index.treatment_names.get(" ".join(words[i : i + n]))
            if ids:
                found |= {t for t in ids if _specific(t, index)}
                break
    return found


def _specific(treatment_id: str, index: GuidelineIndex) -> bool:
    treatment = index.treatments.get(treatment_id)
    return treatment is not None and treatment.kind not in _CATEGORIES
