"""Understand the diagnoses of a request: ICD-10-CM or ICD-9 codes, or words as letters write
them."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from kg import vocab
from kg.index import GuidelineIndex
from kg.resolve.service import body_regions
from kg.text import normalize

_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.?[0-9A-TV-Z]{1,4})?$", re.IGNORECASE)
_ICD9 = re.compile(r"^(V[0-9]{2}|E[0-9]{3}|[0-9]{3})(\.[0-9]{1,2})?$", re.IGNORECASE)
_POST_OP = re.compile(r"\bpost[- ]?op(erative)?\b", re.IGNORECASE)
_STATUS_POST = re.compile(r"(?<![\w/])(s/p|status[- ]post)\b(?P<after>.*)", re.IGNORECASE)
# "Status post" says a surgery was done only when a procedure is named after it (issue 14):
# "s/p right knee arthroscopy", "status post L4-5 fusion", "status post-surgery"; not "status post
# fall", "s/p motor vehicle accident" or "status post lumbar strain".
_PROCEDURE = re.compile(
    r"\b(surgery|surgical|operation|operative|arthroscop\w*|repair|release|fusion|arthrodesis|"
    r"\w*plasty|\w*ectomy|\w*otomy|\w*ostomy|replacement|reconstruction|decompression|fixation|"
    r"orif|debridement|excision|resection|amputation|implant\w*|graft\w*|tenodesis|"
    r"instrumentation|hardware|manipulation under an(a)?esthesia|mua|acdf|tka|tha|tkr|thr)\b",
    re.IGNORECASE,
)
FUZZY_ACCEPT = 90
MAX_NGRAM = 8


@dataclass(frozen=True, slots=True)
class DiagnosisReading:
    condition_ids: tuple[str, ...]  # matched conditions (ancestors are added by the caller)
    regions: tuple[str, ...]
    problems: tuple[str, ...]
    status_post: bool  # "s/p right knee arthroscopy": a surgery has been done


def read_diagnoses(diagnoses: tuple[str, ...], index: GuidelineIndex, on: date) -> DiagnosisReading:
    ids: list[str] = []
    problems: list[str] = []
    status_post = False
    for raw in diagnoses:
        status_post = status_post or after_surgery(raw)
        found, problem = read_one(raw, index, on)
        ids += [i for i in found if i not in ids]
        if problem:
            problems.append(problem)
    regions = list(_regions(ids, index))
    for raw in diagnoses:  # "s/p right knee arthroscopy" names its region even when no code matches
        regions += [r for r in body_regions(raw) if r not in regions]
    return DiagnosisReading(tuple(ids), tuple(regions), tuple(problems), status_post)


def is_icd10(raw: str) -> bool:
    """Is the diagnosis written as an ICD-10-CM code (the only kind read on the request date)?"""
    return bool(_ICD10.match(raw.strip()))


def after_surgery(text: str) -> bool:
    """The diagnosis says a surgery was done: "post-op", or "status post" naming a procedure."""
    if _POST_OP.search(text):
        return True
    found = _STATUS_POST.search(text)
    return bool(found and _PROCEDURE.search(found.group("after")))


def read_one(raw: str, index: GuidelineIndex, on: date) -> tuple[tuple[str, ...], str | None]:
    text = raw.strip()
    if _ICD10.match(text):
        return _icd10(text, index, on)
    if _ICD9.match(text):
        ids = index.conditions_by_icd9.get(text)
        return (ids, None) if ids else ((), f"ICD-9 code {text} is not in the graph")
    found = _by_words(text, index)
    if found:
        return found, None
    return (), f"diagnosis '{_short(text)}' was not recognised"


def _icd10(code: str, index: GuidelineIndex, on: date) -> tuple[tuple[str, ...], str | None]:
    code = code.upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    node = index.condition_by_icd10.get(code)
    if node is None:
        return (), f"ICD-10-CM code {code} is not a code of the graph"
    condition = index.conditions[node]
    if not condition.code_valid_on(on):
        if condition.valid_until is not None and on >= condition.valid_until:
            replaced = ", ".join(index.conditions[r].icd10 or r for r in condition.replaced_by)
            hint = f" (replaced by {replaced})" if replaced else ""
            return (node,), f"ICD-10-CM code {code} was retired on {condition.valid_until}{hint}"
        return (node,), f"ICD-10-CM code {code} was not yet valid on {on}"
    return (node,), None


def _by_words(text: str, index: GuidelineIndex) -> tuple[str, ...]:
    words = normalize(text).split()
    exact = index.condition_names.get(" ".join(words))
    if exact:
        return exact
    found: list[str] = []
    i = 0
    while i < len(words):  # the longest known phrases inside the text
        for n in range(min(MAX_NGRAM, len(words) - i), 0, -1):
            ids = index.condition_names.get(" ".join(words[i : i + n]))
            if ids and (n > 1 or len(words[i]) > 3):
                found += [x for x in ids if x not in found]
                i += n
                break
        else:
            i += 1
    if found:
        return tuple(found)
    text = " ".join(words)
    # A name scores `ratio` >= 90 only within 0.8-1.25 times the text's length (2 * common /
    # total >= 0.9): only those are scored. Of equal scores, the name first in condition_names.
    lengths = index.condition_choice_lengths
    start = bisect_left(lengths, len(text) * 0.8)
    window = index.condition_choices[start : bisect_right(lengths, len(text) * 1.25)]
    scored = process.extract(text, window, scorer=fuzz.ratio, score_cutoff=FUZZY_ACCEPT, limit=None)
    if scored:
        best = max(score for _, score, _ in scored)
        order = index.condition_choice_order
        _, name = min((order[start + at], name) for name, score, at in scored if score == best)
        return index.condition_names[name]
    return ()


def _regions(ids: list[str], index: GuidelineIndex) -> tuple[str, ...]:
    regions: list[str] = []
    for node in ids:
        for ancestor in index.condition_lineage(node):
            for region in (
                index.conditions[ancestor].body_regions if ancestor in index.conditions else ()
            ):
                if region not in regions and region != vocab.BodyRegion.SYSTEMIC:
                    regions.append(region)
            if regions:
                break
    return tuple(regions)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
