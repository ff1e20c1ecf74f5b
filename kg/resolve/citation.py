"""Write a citation the way determination letters of the era write it.

Page-cited documents (CPMTG 2009, ACOEM 2nd Ed. 2004) are cited by pages; section-cited ones
(CPMTG 2016, Opioids 2016, ODG, ACOEM after 2017) by section title, as MAXIMUS letters print
"<Title> <year>, Section(s): <section>"; ODG as "Official Disability Guidelines (ODG), <chapter>,
<topic>", undated, with its edition said to be unknown on dates its held edition was not current.
"""

from __future__ import annotations

from kg import model as m
from kg import vocab
from kg.index import GuidelineIndex
from kg.resolve.outcome import Citation

# How letters name ODG before its chapter and topic: "Official Disability Guidelines (ODG), Low
# Back - Lumbar & Thoracic (Acute & Chronic), Epidural steroid injections (ESIs)".
ODG_TITLE = "Official Disability Guidelines (ODG)"
# The edition of an ODG citation on a date for which the graph holds no current edition.
EDITION_UNKNOWN = "current edition unknown (topic as held in the {} edition)"

# The confidence marks of kg/data/README.md in the words a reader of a citation needs: verified
# (no mark, V2+ or V1: checked against the regulation or the guideline's own text), seen in
# letters (LETTERS: a title known because real letters cite it; REQ: pages as letters commonly
# cite them), unverified (U: researcher knowledge, or inherited from an earlier edition).
VERIFIED = "verified against the regulation"
SEEN_IN_LETTERS = "seen in letters"
UNVERIFIED = "unverified"
CONFIDENCE_WORDS = {None: VERIFIED, "V2+": VERIFIED, "V1": VERIFIED, "LETTERS": SEEN_IN_LETTERS}
CONFIDENCE_WORDS |= {"REQ": SEEN_IN_LETTERS, "U": UNVERIFIED}


def confidence_words(mark: str | None) -> str:
    return CONFIDENCE_WORDS.get(mark, UNVERIFIED)


def cite(
    section: m.Section,
    index: GuidelineIndex,
    label: str,
    mtus: bool,
    step: int,
    edition_known: bool = True,
) -> Citation:
    document = index.documents[section.document_id]
    pages = section.pages
    text = citation_text(section, document, index, mtus, pages)
    edition = document.edition_label or None
    if not edition_known:
        edition = EDITION_UNKNOWN.format(edition or "undated")
    return Citation(
        guideline=label,
        mtus=mtus,
        document=document.letter_title,
        edition=edition,
        chapter=str(document.chapter) if document.chapter is not None else None,
        section=section.label,
        pages=pages,
        text=text,
        evidence_step=step,
        section_id=section.id,
        document_id=document.id,
        recommendation=section.recommendation,
        confidence=confidence_words(section.provenance.confidence),
        confidence_mark=section.provenance.confidence,
        source="; ".join(section.provenance.sources),
    )


def citation_text(
    section: m.Section, document: m.Document, index: GuidelineIndex, mtus: bool, pages: str | None
) -> str:
    prefix = "MTUS " if mtus else "Non-MTUS: "
    if document.cite_style == vocab.CiteStyle.PAGE:
        return f"{prefix}{_page_title(document, index)}, {section.label}{_pages(pages)}"
    if mtus and document.year:
        return f"{prefix}{document.letter_title} {document.year}, Section(s): {section.label}"
    if document.family == "ODG":  # undated, as letters cite the continuously updated text
        return f"{prefix}{ODG_TITLE}, {document.letter_title}, {section.label}"
    return f"{prefix}{document.label}, {section.label}"


def _page_title(document: m.Document, index: GuidelineIndex) -> str:
    edition = index.editions.get(document.edition_id)
    if document.chapter is not None and edition is not None:
        return f"{edition.label}, Ch. {document.chapter} {document.letter_title}"
    return document.label


def _pages(pages: str | None) -> str:
    if not pages:
        return ""
    return f", pp. {pages}" if "-" in pages else f", p. {pages}"
