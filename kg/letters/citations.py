"""Guideline lines ("Claims Administrator guideline:", "MAXIMUS guideline:") -> citations.

Two generations of wording occur. 2016-17 letters: "Decision based on MTUS <Title> <year>,
Section(s): <sections>." (several titles chained with ", and "), then optionally
"Decision based on Non-MTUS Citation <source>." 2013-15 letters: "Decision based on MTUS
Chronic Pain Treatment Guidelines <topic> Page(s): 98-99." and "Non-MTUS Citation ACOEM,
2nd Edition, (2004); Chapter 7 page 127". Preambles ("... based their decision on
recommendation(s) outside of the MTUS Guidelines.") are not citations.
"""

from __future__ import annotations

import re

from kg.letters.model import Citation

_MAX_LINE = 20000  # real guideline lines are < 2 kB; the bound keeps hostile input linear

_NOTHING_CITED = re.compile(r"did not cite any medical evidence", re.IGNORECASE)
_PREAMBLES = re.compile(
    r"The (?:Claims Administrator|Expert Reviewer|reviewer)\s+(?:based their decision on "
    r"recommendation\(s\) outside of the MTUS(?: Guidelines)?|did not base (?:their|its) "
    r"decision on the MTUS(?: Guidelines)?)\.?",
    re.IGNORECASE,
)
_DECISION_BASED = re.compile(r"Decision based on\s+", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A chained MTUS title: capitalised words (commas and 'and'/'&' allowed), then the year.
_CHAIN_SPLIT = re.compile(
    r",?\s+and\s+(?=[A-Z][A-Za-z/&-]*(?:,?\s[A-Za-z/&-]+){0,7}\s(?:19|20)\d\d\b)"
)
_MTUS_TITLE = re.compile(
    r"^(?P<title>[A-Za-z][A-Za-z ,/&-]{0,80}?)\s*(?P<year>(?:19|20)\d\d)\b"
    r"(?:\s*,?\s*Section\(s\)\s*:?\s*(?P<sections>.*?))?\s*\.?\s*$",
    re.DOTALL,
)
_PAGES = re.compile(r"\s*Page\(s\)\s*:?\s*(?P<pages>[^A-Za-z]*?)\s*\.?\s*$")
_ODG_NAME = re.compile(
    r"^(?:Official Disability Guidelines(?:\s*\(ODG\))?|ODG(?:\s+[Gg]uidelines)?)\s*[,:;–-]?\s*"
)
_ODG_EDITION = re.compile(
    r"^(?P<ed>Work Loss Data Institute\s*\([^)]{0,60}\),?\s*(?:19|20)\d\d"
    r"|\d+(?:st|nd|rd|th)\s+Edition,?\s*(?:19|20)\d\d|(?:19|20)\d\d)\s*[,:;]?\s*"
)
_ACOEM_BOOK = re.compile(
    r"(?:Harris J\.?\s+)?Occupational [Mm]edicine [Pp]ractice [Gg]uidelines"
    r"|\bACOEM\b(?:\s+Guidelines)?"
)
_ACOEM_EDITION = re.compile(r"(\d+(?:st|nd|rd|th)\s+[Ee]dition),?\s*\(?((?:19|20)\d\d)\)?")
_CHAPTER = re.compile(r"\bChapter\s+(\d+)\b", re.IGNORECASE)
_PAGE_REF = re.compile(r"(?:\bpages?|\bpp?\.?)\s*(\d+(?:\s*-\s*\d+)?)\b")
_OTHER_SPLIT = re.compile(r"\s+and\s+Other Medical Treatment Guidelines\s+", re.IGNORECASE)
_RESTATED_ODG = re.compile(r"(?<=\.)\s+(?=(?:Official Disability Guidelines|ODG)\b)")
_ODG_ANYWHERE = re.compile(r"\bODG\b|Official Disability Guidelines")
_ACOEM_AFTER_ODG = re.compile(
    r"\s+(?=(?:Harris J\.?\s+)?Occupational [Mm]edicine [Pp]ractice|ACOEM\b)"
)


def _mtus_label(title: str) -> str:
    """Which MTUS guideline a printed title belongs to."""
    t = title.lower()
    if "chronic pain" in t:
        return "MTUS CPMTG"
    if "opioid" in t:
        return "MTUS Opioids"
    if "acupuncture" in t:
        return "MTUS Acupuncture"
    if "postsurgical" in t or "post-surgical" in t or "post surgical" in t:
        return "MTUS Post-Surgical"
    return "MTUS ACOEM"  # the body-part chapters, General Approaches, Stress-Related Conditions


def _tidy(value: str | None) -> str | None:
    value = (value or "").strip(" ,;:.")
    return value or None


def _split_chain(body: str) -> list[str]:
    """'A 2004, Section(s): x, and B 2016, Section(s): y.' -> ['A 2004, Section(s): x', 'B ...'].
    A split is taken only after the current segment has printed its year, so the commas and
    'and' of 'Forearm, Wrist, and Hand Complaints' never split a title."""
    parts: list[str] = []
    start = 0
    while True:
        year = _YEAR.search(body, start)
        if year is None:
            break
        split = _CHAIN_SPLIT.search(body, year.end())
        if split is None:
            break
        parts.append(body[start : split.start()])
        start = split.end()
    parts.append(body[start:])
    return [p.strip() for p in parts if p.strip()]


def _mtus_section_cites(sentence: str, body: str) -> list[Citation]:
    """2016-style MTUS sentence (titles with years)."""
    segments = _split_chain(body)
    cites: list[Citation] = []
    for seg in segments:
        m = _MTUS_TITLE.match(seg)
        if m is None:
            continue
        title = m.group("title").strip(" ,")
        cites.append(
            Citation(
                # One title: the sentence as printed. A chain: each title's own segment.
                text=sentence if len(segments) == 1 else seg,
                mtus=True,
                guideline=_mtus_label(title),
                topic=title,
                edition=m.group("year"),
                sections=_tidy(m.group("sections")) if m.group("sections") is not None else None,
            )
        )
    return cites


def _mtus_page_cites(body: str) -> list[Citation]:
    """2013-15 style MTUS sentence: '<Guideline name> <topic> Page(s): 98-99'."""
    cites: list[Citation] = []
    for part in re.split(r",?\s+and\s+the\s+(?=ACOEM|MTUS|Chronic|Official)", body):
        part = part.strip().rstrip(".").strip()
        if not part:
            continue
        pages = None
        if m := _PAGES.search(part):
            pages = _tidy(m.group("pages"))
            part_wo = part[: m.start()]
        else:
            part_wo = part
        label = _mtus_label(part_wo)
        named = part_wo.lower()
        if label == "MTUS ACOEM" and "acoem" not in named and "complaints" not in named:
            label = "MTUS CPMTG"  # an unnamed MTUS guideline in these letters is the CPMTG
        topic = re.split(r"\bGuidelines?\b\s*(?:on\s+)?", part_wo, maxsplit=1)
        topic_text = topic[1] if len(topic) > 1 else ""
        topic_text = re.sub(r",(?=\S)", ", ", topic_text).replace("NSAIDS", "NSAIDs")
        cites.append(
            Citation(text=part, mtus=True, guideline=label, topic=_tidy(topic_text), pages=pages)
        )
    return cites


def _acoem(text: str, part: str) -> Citation:
    edition = chapter = pages = None
    rest = _ACOEM_BOOK.sub("", part, count=1)
    if m := _ACOEM_EDITION.search(rest):
        edition = f"{m.group(1)} ({m.group(2)})"
        rest = rest[: m.start()] + rest[m.end() :]
    if m := _CHAPTER.search(rest):
        chapter = m.group(1)
        rest = rest[: m.start()] + rest[m.end() :]
    if m := _PAGE_REF.search(rest):
        pages = m.group(1).replace(" ", "")
        rest = rest[: m.start()] + rest[m.end() :]
    return Citation(text=text, mtus=False, guideline="ACOEM", topic=_tidy(rest), pages=pages,
                    edition=edition, chapter=chapter)  # fmt: skip


def _odg(text: str, part: str) -> Citation:
    rest = _ODG_NAME.sub("", part.strip(), count=1)
    edition = None
    if m := _ODG_EDITION.match(rest):
        edition = m.group("ed")
        rest = rest[m.end() :]
    return Citation(text=text, mtus=False, guideline="ODG", topic=_tidy(rest), edition=edition)


def _source(text: str, part: str) -> list[Citation]:
    """One named source of a Non-MTUS sentence (an ODG part may run into an ACOEM book)."""
    part = part.strip().rstrip(".").strip()
    if not part:
        return [Citation(text=text, mtus=False, guideline=None)]
    if _ODG_NAME.match(part):
        odg_part, *acoem_part = _ACOEM_AFTER_ODG.split(part, maxsplit=1)
        cites = [_odg(text, odg_part)]
        if acoem_part:
            cites.append(_acoem(text, acoem_part[0]))
        return cites
    if _ACOEM_BOOK.match(part):
        return [_acoem(text, part)]
    if _ODG_ANYWHERE.search(part):
        return [Citation(text=text, mtus=False, guideline="ODG", topic=_tidy(part))]
    return [Citation(text=text, mtus=False, guideline="Other", topic=_tidy(part))]


def _non_mtus_cites(sentence: str, body: str) -> list[Citation]:
    cites: list[Citation] = []
    # A second sentence restating ODG without "Decision based on" is a citation of its own.
    pieces = _RESTATED_ODG.split(body)
    for k, piece in enumerate(pieces):
        text = sentence if len(pieces) == 1 else (sentence[: len(sentence) - len(body)] + piece
                                                  if k == 0 else piece)  # fmt: skip
        first, *others = _OTHER_SPLIT.split(piece)
        cites.extend(_source(text, first))
        for other in others:
            cites.extend(_source(text, other))
    return cites


def _sentence_cites(sentence: str) -> list[Citation]:
    body = _DECISION_BASED.sub("", sentence, count=1).strip()
    if m := re.match(r"Non-MTUS\s+Citation\s*:?\s*", body, re.IGNORECASE):
        return _non_mtus_cites(sentence, body[m.end() :])
    if m := re.match(r"(?:the\s+)?(?:CA\s+)?MTUS\b\s*:?\s*", body, re.IGNORECASE):
        rest = body[m.end() :]
        if "Page(s)" not in rest and _YEAR.search(rest[:120]):
            return _mtus_section_cites(sentence, rest)
        return _mtus_page_cites(re.sub(r"^(?:Decision based on\s+)?", "", body))
    return _source(sentence, body) if body else []


def read_citations(line: str) -> tuple[Citation, ...]:
    """Citations of one guideline line (the text after 'Claims Administrator guideline:')."""
    line = " ".join(line[:_MAX_LINE].split())
    if not line or _NOTHING_CITED.search(line):
        return ()
    line = _PREAMBLES.sub("", line).strip()
    starts = [m.start() for m in _DECISION_BASED.finditer(line)]
    if not starts:
        # Old copies sometimes drop "Decision based on": the line itself is the citation, also
        # when all it says is "per guidelines" (a citation that names none, which the audit tells).
        starts = [0] if re.search(r"\bMTUS\b|Non-MTUS|ODG|ACOEM|(?i:\bguidelines?\b)", line) else []
    cites: list[Citation] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(line)
        sentence = line[start:end].strip()
        if sentence:
            cites.extend(_sentence_cites(sentence))
    return tuple(cites)
