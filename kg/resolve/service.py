"""Understand a service as reviewers write it: treatment, quantity, route, body region, timing.

Pure functions over the index. Matching order: exact alias phrases in the text (longest
first), then a fuzzy match (rapidfuzz) for typos; nothing found is an outcome, not an error.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import takewhile

from rapidfuzz import fuzz, process

from kg import vocab
from kg.index import GuidelineIndex
from kg.quantity import parse_quantity
from kg.text import CuedPattern, cue_text, normalize

# Words of a request that say where, not what: the spellings (a regular expression for one word
# or phrase each, with no top-level "|": see _cue) of a body region chapters use (gl:BodyRegion
# local names).
REGION_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("cervical", "neck", "c-spine", "cspine", "cervicothoracic"), "Neck"),
    (("thoracic", "t-spine", "tspine", "mid back", "thoracolumbar"), "ThoracicSpine"),
    (
        (
            *("lumbar", "lumbosacral", "low back", "lower back", "l-spine", "lspine", "ls spine"),
            *("sacral", "sacroiliac", "si joint", "coccyx", "back"),
        ),
        "LowBack",
    ),
    (
        ("shoulders?", "rotator cuff", "slap", "acromioclavicular", "ac joint", "labr(um|al)"),
        "Shoulder",
    ),
    (("elbows?", r"epicondyl\w*", "cubital", "olecranon", "radial head"), "Elbow"),
    (
        (
            *("wrists?", "hands?", "fingers?", "thumbs?", "forearms?", "carpal"),
            *("trigger finger", "digits?"),
        ),
        "ForearmWristHand",
    ),
    (("hips?", "groin", "pelvis", "pelvic"), "HipPelvis"),
    (("knees?", r"menisc\w*", r"patell\w*", r"tibia\w*"), "Knee"),
    (("ankles?", "foot", "feet", "toes?", "heels?", "plantar", "achilles"), "AnkleFoot"),
    (("head", "brain", "brainstem", "skull", "headaches?", "concussion"), "Head"),
    (("eyes?", "ocular", "vision"), "Eye"),
    (("abdomen", "abdominal", "hernia"), "Abdomen"),
)
# A limb named without a joint ("upper extremity", RUE/LUE, "bilateral lower extremities") is
# every region of that limb, not the spine (issue 14): which chapter governs is then decided by the
# section that addresses the service and by the diagnoses, never by reading an arm as the neck.
_UPPER_LIMB = ("upper (extremit(y|ies)|limbs?)", "arms?", "rue", "lue", "bue")
_LOWER_LIMB = ("lower (extremit(y|ies)|limbs?)", "legs?", "rle", "lle", "ble")
REFERRED_REGION_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    *((_UPPER_LIMB, region) for region in ("Shoulder", "Elbow", "ForearmWristHand")),
    *((_LOWER_LIMB, region) for region in ("HipPelvis", "Knee", "AnkleFoot")),
    (("sciatic",), "LowBack"),
)


_OPTIONAL = ("?", "*", "{")  # what makes the character before it optional


def _cue(spelling: str) -> tuple[str, bool]:
    """The letters every match of a spelling begins with, and whether they are the whole word of
    the text there: its leading letters, less the last when that one is optional ("shoulders?" ->
    "shoulder", a prefix); whole where the spelling ends (the pattern ends with a word boundary) or
    goes on with a space or hyphen that is not optional ("low back" -> "low", "c-spine" -> "c")."""
    letters = "".join(takewhile(str.isalpha, spelling))
    rest = spelling[len(letters) :]
    if rest[:1] in _OPTIONAL:
        return letters[:-1], False
    return letters, rest == "" or (rest[:1] in (" ", "-") and rest[1:2] not in _OPTIONAL)


@dataclass(frozen=True, slots=True)
class _RegionCues:
    """Where a match of the region patterns may begin: at a word of the text equal to a whole cue
    of one of their spellings, or beginning with a prefix cue. A text without such a word cannot
    match the pattern, and most services name no region at all."""

    uncued: frozenset[int]  # patterns with a spelling that does not begin with a letter
    whole: dict[str, frozenset[int]]  # whole cue -> patterns (places in _REGION_PATTERNS)
    prefixes: tuple[str, ...]
    by_prefix: dict[str, frozenset[int]]

    @classmethod
    def of(cls, entries: tuple[tuple[tuple[str, ...], str], ...]) -> _RegionCues:
        whole: dict[str, set[int]] = defaultdict(set)
        by_prefix: dict[str, set[int]] = defaultdict(set)
        for place, (spellings, _) in enumerate(entries):
            for spelling in spellings:
                cue, is_whole = _cue(spelling)
                (whole if is_whole and cue else by_prefix)[cue].add(place)
        uncued = frozenset(by_prefix.pop("", ()))
        return cls(
            uncued,
            {cue: frozenset(places) for cue, places in whole.items()},
            tuple(by_prefix),
            {cue: frozenset(places) for cue, places in by_prefix.items()},
        )

    def patterns(self, words: set[str]) -> list[int]:
        """The patterns the words (the text's runs of letters, lower-cased) give a cue for, in
        order."""
        cued = set(self.uncued)
        for word in words & self.whole.keys():
            cued |= self.whole[word]
        for word in words:
            if word.startswith(self.prefixes):  # rare: then which
                for prefix in self.prefixes:
                    if word.startswith(prefix):
                        cued |= self.by_prefix[prefix]
        return sorted(cued)


_REGION_ENTRIES = REGION_WORDS + REFERRED_REGION_WORDS  # named regions first, then referred ones
_REGION_PATTERNS = tuple(
    (re.compile(rf"\b({'|'.join(spellings)})\b", re.IGNORECASE), region)
    for spellings, region in _REGION_ENTRIES
)
_REGION_CUES = _RegionCues.of(_REGION_ENTRIES)
_LETTERS = re.compile(r"[a-z]+")

# Cues that the product is applied to the skin (topical ketoprofen is not oral ketoprofen:
# CPMTG Topical analgesics vs NSAIDs).
# (Cues: the lower-case letters or signs every match of the pattern holds.)
_TOPICAL = CuedPattern(
    re.compile(
        r"\b(cream|gel|ointment|lotion|patch(es)?|topical|compound(ed)?|transdermal|"
        r"liniment|spray|roll-?on)\b|\d\s*%",
        re.IGNORECASE,
    ),
    cues=(
        *("cream", "gel", "ointment", "lotion", "patch", "topical", "compound", "transdermal"),
        *("liniment", "spray", "roll", "%"),
    ),
)
_RETRO = CuedPattern(
    re.compile(r"\bretro(spective)?\b|\bDOS\b|date of service", re.IGNORECASE),
    cues=("retro", "dos", "date of service"),
)
# "Associated surgical service: ..." heads the ancillaries of a requested surgery: they follow it
# (issue 14), unless the service itself says it comes before (pre-op labs, clearance).
_POSTOP = CuedPattern(
    re.compile(
        r"\bpost[- ]?op(erative)?\b|\bpost[- ]?surg(ical|ery)\b|\bafter surgery\b|"
        r"^\s*associated surgical services?\b(?!.*\bpre[- ]?op)",
        re.IGNORECASE,
    ),
    cues=("post", "after surgery", "associated surgical service"),
)
# Ultrasound written with a count of sessions ("1 times 8", "x 8", "2x4") or called therapeutic is
# the physical-medicine modality (CPMTG Ultrasound, therapeutic); an ultrasound of a region without
# either stays diagnostic imaging, and so does one said to be diagnostic or to guide a procedure.
_ULTRASOUND = re.compile(r"\b(?i:ultrasound|ultra-sound)\b|\bUS\b")
_SESSIONS = re.compile(
    r"\btherapeutic\b|\b\d+\s*(x|times)\s*\d+\b|(\bx|\btimes)\s*([2-9]|\d\d)\b|\bsessions?\b",
    re.IGNORECASE,
)
_IMAGING = re.compile(r"\b(diagnostic|guid(ed|ance)|imaging|sonogra\w*|scan)\b", re.IGNORECASE)
THERAPEUTIC_ULTRASOUND = "tx:therapeutic-ultrasound"
SESSIONS_RULE = "rule (ultrasound given in sessions is therapeutic)"
# Dosage and packaging words carry no meaning for matching the treatment.
_NOISE = CuedPattern(
    re.compile(r"\b\d+(\.\d+)?\s*(mg|mcg|g|gm|gms|ml|%)\b|#\s*\d+|\bqty\b", re.IGNORECASE),
    (*"0123456789", "qty"),
)

FUZZY_ACCEPT = 90  # WRatio at or above which a single fuzzy match is taken as the treatment
FUZZY_SUGGEST = 60
MAX_NGRAM = 8


@dataclass(frozen=True, slots=True)
class ServiceReading:
    treatment_ids: tuple[str, ...]  # one id, several for a compound or an ambiguity
    compound: bool
    ambiguous: bool
    quantity: float | None
    quantity_unit: str | None
    topical: bool
    regions: tuple[str, ...]
    retrospective: bool
    postoperative: bool
    matched_by: str  # "alias", "fuzzy", "id", SESSIONS_RULE, ""
    suggestions: tuple[str, ...]


def read_service(
    text: str, index: GuidelineIndex, treatment_id: str | None = None, quantity: float | None = None
) -> ServiceReading:
    cues_in = cue_text(text)
    topical = bool(_TOPICAL.search(text, cues_in))
    parsed_quantity, unit = parse_quantity(text) if quantity is None else (quantity, None)
    regions = _body_regions(text, cues_in)
    if treatment_id:
        ids: tuple[str, ...] = (treatment_id,) if treatment_id in index.treatments else ()
        matched_by, ambiguous, suggestions = ("id" if ids else ""), False, ()
    else:
        ids, ambiguous, matched_by, suggestions = match_treatments(text, index)
        if _therapeutic_ultrasound(text, ids) and THERAPEUTIC_ULTRASOUND in index.treatments:
            ids, ambiguous, matched_by, suggestions = (
                (THERAPEUTIC_ULTRASOUND,),
                False,
                SESSIONS_RULE,
                (),
            )
    compound = len(ids) > 1 and not ambiguous
    if topical and not compound:
        ids = tuple(topical_variant(i, index) for i in ids)
    return ServiceReading(
        ids,
        compound,
        ambiguous,
        parsed_quantity,
        unit,
        topical,
        regions,
        bool(_RETRO.search(text, cues_in)),
        bool(_POSTOP.search(text, cues_in)),
        matched_by,
        suggestions,
    )


def _therapeutic_ultrasound(text: str, matched: tuple[str, ...]) -> bool:
    """Only where nothing else was read: "PT 2x6 with ultrasound" stays physical therapy."""
    return (
        set(matched) <= {THERAPEUTIC_ULTRASOUND, "tx:diagnostic-ultrasound"}
        and bool(_ULTRASOUND.search(text) and _SESSIONS.search(text))
        and not _IMAGING.search(text)
    )


def body_regions(text: str, referred: bool = True) -> tuple[str, ...]:
    """Regions a text names; with `referred`, also the spine region a bare limb refers to."""
    return _body_regions(text, cue_text(text), referred)


def _body_regions(text: str, cues_in: str | None, referred: bool = True) -> tuple[str, ...]:
    searched = len(_REGION_PATTERNS) if referred else len(REGION_WORDS)
    found: list[str] = []
    for position in _cued_patterns(cues_in):
        pattern, region = _REGION_PATTERNS[position]
        if position < searched and region not in found and pattern.search(text):
            found.append(region)
    return tuple(found)


def _cued_patterns(cues_in: str | None) -> list[int] | range:
    """The region patterns a word of the text gives a cue for (places in _REGION_PATTERNS, in
    order); all of them where cues cannot be trusted (kg.text.cue_text)."""
    if cues_in is None:
        return range(len(_REGION_PATTERNS))
    return _REGION_CUES.patterns(set(_LETTERS.findall(cues_in)))


def match_treatments(
    text: str, index: GuidelineIndex
) -> tuple[tuple[str, ...], bool, str, tuple[str, ...]]:
    """(ids, ambiguous, how, suggestions). Several non-overlapping drug names = a compound."""
    words = normalize(_NOISE.sub(" ", text, cue_text(text))).split()
    spans = _alias_spans(words, index)
    if spans:
        return _choose(spans, index)
    return _fuzzy(" ".join(words), index)


def _alias_spans(words: list[str], index: GuidelineIndex) -> list[tuple[int, int, tuple[str, ...]]]:
    """Longest alias phrases of the text, left to right, never overlapping."""
    spans = []
    longest = index.treatment_words.longest
    i = 0
    while i < len(words):
        most = longest.get(words[i], 0)  # 0: no name begins with this word
        for n in range(min(MAX_NGRAM, most, len(words) - i), 0, -1):
            ids = index.treatment_names.get(" ".join(words[i : i + n]))
            if ids:
                spans.append((i, n, ids))
                i += n
                break
        else:
            i += 1
    return spans


def _choose(
    spans: list[tuple[int, int, tuple[str, ...]]], index: GuidelineIndex
) -> tuple[tuple[str, ...], bool, str, tuple[str, ...]]:
    if len(spans) > 1:  # one name is never a compound
        drugs = [ids for _, _, ids in spans if all(_is_drug(i, index) for i in ids)]
        distinct_drugs = {ids for ids in drugs if len(ids) == 1}
        if len(distinct_drugs) > 1 and len(drugs) == len(spans):
            return tuple(ids[0] for ids in dict.fromkeys(drugs)), False, "alias", ()
    _, _, best = max(spans, key=lambda s: (s[1], -s[0]))  # the longest phrase, earliest on ties
    if len(best) == 1:  # one treatment: nothing to be more specific than
        return best, False, "alias", ()
    best = _most_specific(best, index)
    return best, len(best) > 1, "alias", best if len(best) > 1 else ()


def _most_specific(ids: tuple[str, ...], index: GuidelineIndex) -> tuple[str, ...]:
    """Of several treatments sharing a name, drop those that are ancestors of another."""
    ancestors = {a for i in ids for a in index.treatment_lineage(i)[1:]}
    kept = tuple(i for i in ids if i not in ancestors)
    return kept or ids


def _fuzzy(text: str, index: GuidelineIndex) -> tuple[tuple[str, ...], bool, str, tuple[str, ...]]:
    if not text:
        return (), False, "", ()
    # scored: the names holding most of the text's words, each perhaps misspelled (kg.names)
    choices = index.treatment_words.candidates(text)
    found = process.extract(text, choices, scorer=fuzz.WRatio, limit=8, score_cutoff=FUZZY_SUGGEST)
    ranked: list[str] = []
    for name, _, _ in found:
        for node in index.treatment_names[name]:
            if node not in ranked:
                ranked.append(node)
    top = [name for name, score, _ in found if score >= FUZZY_ACCEPT]
    if top and len(index.treatment_names[top[0]]) == 1 and fuzz.ratio(text, top[0]) >= FUZZY_ACCEPT:
        return index.treatment_names[top[0]], False, "fuzzy", ()
    return (), False, "", tuple(ranked[:5])


_DRUG_KINDS = frozenset((vocab.TreatmentKind.DRUG, vocab.TreatmentKind.COMPOUNDED_PRODUCT))


def _is_drug(treatment_id: str, index: GuidelineIndex) -> bool:
    return index.treatments[treatment_id].kind in _DRUG_KINDS


def topical_variant(treatment_id: str, index: GuidelineIndex) -> str:
    """The topical form of a drug named with a topical cue (ketoprofen cream ->
    ketoprofen-topical)."""
    treatment = index.treatments.get(treatment_id)
    if (
        treatment is None
        or treatment.kind != vocab.TreatmentKind.DRUG
        or treatment.route == vocab.Route.TOPICAL
    ):
        return treatment_id
    return topical_form(treatment_id, index)


def topical_form(treatment_id: str, index: GuidelineIndex) -> str:
    """The treatment applied to the skin where the graph has it apart (gl:topicalForm: ketoprofen ->
    topical ketoprofen); the treatment itself otherwise."""
    treatment = index.treatments.get(treatment_id)
    return (treatment.topical_form if treatment is not None else None) or treatment_id


def reading_line(reading: ServiceReading, index: GuidelineIndex) -> str:
    """The trace line that says how the service was read."""
    if not reading.treatment_ids:
        return "Service: no treatment matched."
    names = ", ".join(
        index.treatments[i].label for i in reading.treatment_ids if i in index.treatments
    )
    kind = (
        "compound of"
        if reading.compound
        else "several treatments:"
        if reading.ambiguous
        else "treatment"
    )
    extras = [
        f"quantity {reading.quantity:g}" if reading.quantity is not None else "no fixed quantity"
    ]
    if reading.topical:
        extras.append("topical")
    if reading.retrospective:
        extras.append("retrospective")
    return f"Service: {kind} {names} (matched by {reading.matched_by}; {', '.join(extras)})."
