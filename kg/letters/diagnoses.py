"""Diagnoses as the clinical case summary words them.

The summaries state them in a handful of phrasings ("The current diagnoses are documented as
A, B, and C", "diagnosed with A and B", "undergoing treatment for A", "being treated for A
rule out B"); the list is split the way a reader would split it, keeping the wording.
"""

from __future__ import annotations

import re

# Text up to the end of the sentence: a period followed by space/end, or glued to the next
# sentence ('infection.The'); '0.025%' and '7.5mg' are no ends.
_UNTIL_END = r"(?P<x>.{1,600}?)(?=\.(?:\s|$)|(?<=[a-z])\.(?=[A-Z])|$)"
_STATED = re.compile(
    r"\b(?:(?P<single>diagnosis)|diagnoses)(?:,?\s+and-or impressions,)?\s*"
    r"(?:(?:is|are|were|was|has been|have been)\s+(?:(?:noted to include|documented as|listed as"
    r"|noted as|as)\s*:?\s*)?|(?:include[sd]?|included|consist(?:s|ed)? of|of)\s*:?\s*|:\s*)"
    + _UNTIL_END,
    re.IGNORECASE,
)
_DIAGNOSED = re.compile(
    r"(?<!initially )(?<!previously )(?<!originally )\bdiagnosed\s+(?:with|as having|as)\s+"
    + _UNTIL_END,
    re.IGNORECASE,
)
_TREATED = re.compile(
    r"\b(?:undergoing treatments?|being treated|treated|receiving treatments?)\s+for\s*:?\s+"
    + _UNTIL_END,
    re.IGNORECASE,
)
_COMORBID = re.compile(r"\bcomorbid diagnos(?:is|es) of\s+" + _UNTIL_END, re.IGNORECASE)
# Presenting complaint, used only when no diagnosis is stated.
_COMPLAINT = re.compile(
    r"\b(?:filed a claim for\s+(?P<claim>.{1,300}?)\s+(?:reportedly\s+)?associated"
    r"|complain(?:ts?|s|ed|ing)? of\s+" + _UNTIL_END + ")",
    re.IGNORECASE,
)

_LEADING = re.compile(
    r"^(?:and\s+|(?:a|an|the)\s+(?:diagnos(?:is|es)\s+of\s+)?|diagnos(?:is|es)\s+of\s+)+",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"\s+(?:and|or)$", re.IGNORECASE)

# Words of a bare site ('scalp', 'right arm', 'shoulders'): a list element made only of these
# names where a diagnosis applies, not a diagnosis ("contusion of face, scalp and neck").
_SITE_WORDS = frozenset(
    """left right bilateral the of and upper lower low mid middle neck back head face scalp
    shoulder shoulders elbow elbows wrist wrists hand hands finger fingers thumb thumbs hip hips
    knee knees ankle ankles foot feet toe toes leg legs arm arms spine chest abdomen pelvis groin
    thigh thighs forearm forearms region level cervical thoracic lumbar lumbosacral
    sacral""".split()
)
_TISSUE = r"(?:muscles?|fascia|tendons?|ligaments?)"
_ENCOUNTER = re.compile(r"^(?:initial|subsequent) encounter\b", re.IGNORECASE)


def _clean(part: str) -> str:
    part = _LEADING.sub("", part.strip(" ,;:."))
    return _TRAILING.sub("", part).strip(" ,;:.")


def _split_list(chunk: str) -> list[tuple[str, str]]:
    """(separator, element) pairs of a comma list whose last two elements may be joined by
    'and' without a serial comma; the separators let merged elements keep their wording."""
    pieces = re.split(r"(,\s*)", chunk)
    elements = [("", pieces[0])] + [(pieces[i], pieces[i + 1]) for i in range(1, len(pieces), 2)]
    last_sep, last = elements[-1]
    left, sep, right = last.rpartition(" and ")
    in_list = len(elements) > 1
    if sep and not right.startswith("or ") and not last.lstrip().startswith("and "):
        # Outside a comma list only phrases split: 'numbness and weakness ...' stays whole.
        if in_list or (len(left.split()) >= 2 and len(_clean(right).split()) >= 2):
            elements[-1:] = [(last_sep, left), (sep, right)]
    return elements


def _is_site(text: str) -> bool:
    words = re.split(r"[\s,]+", _clean(text).lower())
    return bool(words) and all(w in _SITE_WORDS for w in words if w)


def _belongs_to_previous(prev: str, element: str) -> bool:
    """True when a list element continues the previous one instead of naming a diagnosis."""
    if _is_site(element):
        return True  # a further site of the same diagnosis
    if _is_site(prev):
        return True  # sites listed before their diagnosis: 'cervical, thoracic and lumbar ...'
    if re.search(_TISSUE + r"$", prev.strip(), re.I) and re.match(_TISSUE, element.strip(), re.I):
        return True  # ICD wording 'strain of muscle, fascia and tendon of ...'
    return bool(_ENCOUNTER.match(element.strip()))


def _merge(elements: list[tuple[str, str]]) -> list[str]:
    merged: list[str] = []
    for sep, element in elements:
        if merged and _belongs_to_previous(merged[-1], element):
            merged[-1] = merged[-1] + sep + element
        else:
            merged.append(element)
    return merged


def split_diagnoses(phrase: str, single: bool = False) -> list[str]:
    """Split a diagnosis phrase into the diagnoses it lists."""
    phrase = _clean(phrase)
    if not phrase:
        return []
    if single:
        return [phrase]
    out: list[str] = []
    for chunk in re.split(r"\s+(?=rule out\b)", phrase, flags=re.IGNORECASE):
        parts = chunk.split(";") if ";" in chunk else _merge(_split_list(chunk))
        out.extend(p for p in (_clean(p) for p in parts) if p)
    return out


def read_diagnoses(summary: str) -> tuple[str, ...]:
    """Diagnoses of the summary; the presenting complaint when no diagnosis is stated."""
    found: list[str] = []
    for pattern in (_STATED, _DIAGNOSED, _TREATED):
        for m in pattern.finditer(summary):
            if "comorbid" in summary[max(0, m.start() - 12) : m.start()].lower():
                continue  # handled below, marked as comorbid
            single = bool(m.groupdict().get("single")) or bool(
                re.match(r"\s*the diagnosis of\b", m.group("x"), re.IGNORECASE)
            )
            found = split_diagnoses(m.group("x"), single)
            if found:
                break
        if found:
            break
    if m := _COMORBID.search(summary):
        found += [f"{d} (comorbid)" for d in split_diagnoses(m.group("x"))]
    if not found and (m := _COMPLAINT.search(summary)):
        found = split_diagnoses(m.group("claim") or m.group("x") or "", single=True)
    return tuple(found)
