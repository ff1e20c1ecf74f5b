"""Search by name or code: treatments and diagnoses, best match first."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from kg.index import GuidelineIndex
from kg.text import normalize

FUZZY_CUTOFF = 75  # rapidfuzz WRatio below which a name is not offered as a search hit


def rank_names(query: str, names: dict[str, tuple[str, ...]], labels: dict[str, str]) -> list[str]:
    """Ids whose names match the query: exact name first, then prefix, then words inside, then
    fuzzy.

    `names` maps normalised names to ids; `labels` gives every id's label (the order inside a tier
    and of an empty query).

    >>> rank_names("flex", {"flexeril": ("tx:c",), "reflex": ("tx:r",)}, {"tx:c": "c", "tx:r": "r"})
    ['tx:c', 'tx:r']
    """
    q = normalize(query)
    if not q:
        return sorted(labels, key=lambda i: (labels[i].casefold(), i))
    tiers: list[list[str]] = [list(names.get(q, ())), [], [], []]
    for name, ids in sorted(names.items(), key=lambda item: (len(item[0]), item[0])):
        if name == q:
            continue
        if name.startswith(q):
            tiers[1] += ids
        elif f" {q}" in f" {name}":
            tiers[2] += ids
    if len(q) >= 3:
        for name, _, _ in process.extract(
            q, list(names), scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF, limit=50
        ):
            tiers[3] += names[name]
    return list(dict.fromkeys(i for tier in tiers for i in tier))


def search_treatments(index: GuidelineIndex, query: str | None) -> list[str]:
    """Treatments by label, synonym or brand name, best first ("flexeril" finds cyclobenzaprine)."""
    return rank_names(
        query or "", index.treatment_names, {t.id: t.label for t in index.treatments.values()}
    )


def search_conditions(index: GuidelineIndex, query: str | None) -> list[str]:
    """Conditions by ICD-10-CM or ICD-9 code (exact, then code prefix) and by label or synonym."""
    labels = {c.id: c.label for c in index.conditions.values()}
    text = (query or "").strip()
    code = icd10_key(text)
    exact = [index.condition_by_icd10[code]] if code in index.condition_by_icd10 else []
    exact += index.conditions_by_icd9.get(text, ())
    prefix = (
        sorted(
            (
                i
                for c, i in index.condition_by_icd10.items()
                if code and c.startswith(code) and c != code
            ),
            key=lambda i: index.conditions[i].icd10 or i,
        )
        if len(code) >= 2
        else []
    )
    return list(dict.fromkeys([*exact, *prefix, *rank_names(text, index.condition_names, labels)]))


def icd10_key(code: str) -> str:
    """An ICD-10-CM code as the index keys it: upper case, the dot after the category.

    >>> icd10_key(" m545 ")
    'M54.5'
    """
    code = code.strip().upper().replace(" ", "")
    if code and "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def find_condition(index: GuidelineIndex, code: str) -> str | None:
    """The condition of an id, an ICD-10-CM code or an ICD-9 code (the first, if shared)."""
    text = code.strip()
    if text in index.conditions:
        return text
    found = index.condition_by_icd10.get(icd10_key(text))
    if found:
        return found
    icd9 = index.conditions_by_icd9.get(text, ())
    return icd9[0] if icd9 else None
