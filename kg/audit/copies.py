"""Rationales copied between the items of one letter: word for word, or the same paragraph with a
few words changed (the body part, the side, the service's name).

An IMR reviewer decides each disputed item on its own (LC 4610.6(a)); one paragraph pasted under
several items with only the body part swapped shows they were not reviewed one by one. A short
rationale that denies a service because the surgery it belongs to was denied (pre-operative
clearance, post-operative therapy, a sling) is the same for each such service by design, and is no
copy.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import LCSseq

from kg.text import normalize

# The share (0-100) of the shorter rationale's words that the other holds in the same order
# (rapidfuzz's LCSseq over words, as `comparable` writes them). Measured on the 133 dev letters
# with eval/rationale_similarity.py (266 rationales; 421 pairs within a letter, 34,824 across):
# pairs of different letters have a median of 26 and a 99th percentile of 65; above 90 there are
# only exact repeats and one reviewer's stock guideline quotation reused for other patients.
# Within a letter, read pair by pair, on the tuning half (eval/split.tsv): the same paragraph with
# the body part, side or service swapped scores 95.4 to 99.2 besides exact copies (100); a shared
# template argued item by item (other ingredients, other criteria, other history) at most 93.8
# (one template with only the guideline's region wording swapped, 94.8, counts as argued). 95
# lies in that gap; on the checking half near copies score 95.6 to 99.3, the others at most 89.6.
NEAR_COPY = 95.0
# Below this many words the share is too coarse to call two rationales one paragraph.
MIN_WORDS = 25

_DEPENDENT_SERVICE = re.compile(
    r"\b(ancillary|associated|related|adjunct|concurrent|perioperative|preoperative|"
    r"postoperative|pre op|post op)\s+(service|services|request|requests|item|items|treatment|"
    r"care|equipment)\b"
)
_DENIED_SURGERY = re.compile(
    r"\b(surgery|surgical|procedure|operation)\b.*\bnot (medically necessary|certified|indicated|"
    r"supported|warranted)\b"
)
# A rationale that only says "the surgery is denied, so is this" is one sentence or two.
_DEPENDENT_MAX_WORDS = 40


def comparable(rationale: str) -> str:
    """The rationale blind to case, punctuation and spacing, as two copies are compared."""
    return normalize(rationale)


def shared(a: str, b: str) -> float:
    """The share (0-100) of the shorter text's words that the other holds in the same order."""
    wa, wb = a.split(), b.split()
    shorter = min(len(wa), len(wb))
    return 100.0 * LCSseq.similarity(wa, wb) / shorter if shorter else 0.0


def follows_a_denied_surgery(rationale: str) -> bool:
    """The rationale denies a service because the surgery it serves was denied."""
    return (
        len(rationale.split()) <= _DEPENDENT_MAX_WORDS
        and bool(_DEPENDENT_SERVICE.search(rationale))
        and bool(_DENIED_SURGERY.search(rationale))
    )


def copied_from(number: int, rationales: list[str]) -> tuple[int, float, bool] | None:
    """(the earlier item whose rationale this item's repeats, the share, word for word), or None.

    `rationales` are the items' rationales as `comparable` writes them, in item order. A
    word-for-word copy is preferred; then the closest near copy."""
    own = rationales[number - 1]
    if not own or follows_a_denied_surgery(own):
        return None
    earlier = list(enumerate(rationales[: number - 1], start=1))
    exact = next((n for n, other in earlier if other == own), None)
    if exact is not None:
        return exact, 100.0, True
    if len(own.split()) < MIN_WORDS:
        return None
    near = [
        (shared(own, other), n)
        for n, other in earlier
        if len(other.split()) >= MIN_WORDS and not follows_a_denied_surgery(other)
    ]
    best, n = max(near, key=lambda s: (s[0], -s[1]), default=(0.0, 0))
    return (n, best, False) if best >= NEAR_COPY else None
