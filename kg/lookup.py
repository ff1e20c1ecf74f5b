"""Lookups over the index for browsing clients: search, pages, sections by filter, documents on a
date, formulary status, a side-by-side comparison and a node's neighbourhood.

Pure functions over a GuidelineIndex, like the resolver: no I/O, no clock (dates are passed in).
They return ids and small values; the GraphQL layer maps them to its types.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process

from kg import model as m
from kg.errors import InputError
from kg.index import GuidelineIndex
from kg import vocab
from kg.resolve import Citation, CriterionResult, ResolveRequest, ServiceInput, ServiceResolution, Steps, resolve
from kg.resolve.sequence import document_standing  # the resolver's own rule of which documents count on a date
from kg.text import normalize

FUZZY_CUTOFF = 75  # rapidfuzz WRatio below which a name is not offered as a search hit
MAX_PAGE = 100
# The MTUS Drug List (8 CCR 9792.27.1 ff.) applies to drugs dispensed on or after 2018-01-01.
DRUG_LIST_START = date(2018, 1, 1)
DRUG_KINDS = ("Drug", "DrugClass", "CompoundedProduct")
COMPARED = ("MTUS", "ACOEM", "ODG")
MAX_NEIGHBOURS = 60


# ---------------------------------------------------------------- search


def rank_names(query: str, names: dict[str, tuple[str, ...]], labels: dict[str, str]) -> list[str]:
    """Ids whose names match the query: exact name first, then prefix, then words inside, then fuzzy.

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
        for name, _, _ in process.extract(q, list(names), scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF,
                                          limit=50):
            tiers[3] += names[name]
    return list(dict.fromkeys(i for tier in tiers for i in tier))


def search_treatments(index: GuidelineIndex, query: str | None) -> list[str]:
    """Treatments by label, synonym or brand name, best first ("flexeril" finds cyclobenzaprine)."""
    return rank_names(query or "", index.treatment_names, {t.id: t.label for t in index.treatments.values()})


def search_conditions(index: GuidelineIndex, query: str | None) -> list[str]:
    """Conditions by ICD-10-CM or ICD-9 code (exact, then code prefix) and by label or synonym."""
    labels = {c.id: c.label for c in index.conditions.values()}
    text = (query or "").strip()
    code = icd10_key(text)
    exact = [index.condition_by_icd10[code]] if code in index.condition_by_icd10 else []
    exact += index.conditions_by_icd9.get(text, ())
    prefix = sorted((i for c, i in index.condition_by_icd10.items() if code and c.startswith(code) and c != code),
                    key=lambda i: index.conditions[i].icd10 or i) if len(code) >= 2 else []
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


# ---------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a ranked list: the ids with their cursors, and where the list goes on."""

    items: tuple[tuple[str, str], ...]  # (cursor, id)
    has_next: bool
    total: int

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][0] if self.items else None


def cursor_of(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def offset_of(cursor: str) -> int:
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeError):
        pass
    raise InputError("'after' is not a cursor this service gave out", "after")


def page(ids: Sequence[str], first: int = 20, after: str | None = None) -> Page:
    """Relay-style slice: up to `first` items after the cursor `after`."""
    if first < 0 or first > MAX_PAGE:
        raise InputError(f"'first' must be between 0 and {MAX_PAGE}", "first")
    start = offset_of(after) + 1 if after else 0
    chosen = ids[start:start + first]
    return Page(tuple((cursor_of(start + n), i) for n, i in enumerate(chosen)),
                start + first < len(ids), len(ids))


# ---------------------------------------------------------------- sections and documents


@dataclass(frozen=True, slots=True)
class SectionFilter:
    guideline: str | None = None  # a citation label ("MTUS CPMTG", "ODG") or a family ("ACOEM")
    document: str | None = None
    treatment: str | None = None
    condition: str | None = None
    as_of: date | None = None
    search: str | None = None


def filter_sections(index: GuidelineIndex, f: SectionFilter) -> list[str]:
    """Sections that pass every given filter, in document and page order (or search rank)."""
    ids: Iterable[str] = sorted(index.sections, key=lambda i: _section_order(index.sections[i], index))
    if f.search:
        ids = _search_sections(index, f.search)
    if f.treatment:
        addressed = {s for a in index.treatment_lineage(f.treatment) for s in index.sections_by_treatment.get(a, ())}
        ids = [i for i in ids if i in addressed]
    if f.condition:
        lineage = set(index.condition_lineage(f.condition))
        ids = [i for i in ids if lineage & set(index.sections[i].applies_to)]
    if f.document:
        ids = [i for i in ids if index.sections[i].document_id == f.document]
    if f.as_of:
        usable = set(documents_as_of(index, f.as_of))
        ids = [i for i in ids if index.sections[i].document_id in usable]
    if f.guideline:
        ids = [i for i in ids if _labelled(index.sections[i].document_id, f.guideline, f.as_of, index)]
    return list(ids)


def _section_order(s: m.Section, index: GuidelineIndex) -> tuple[object, ...]:
    return (document_order(index.documents[s.document_id]), s.page_start or 0, s.label.casefold(), s.id)


def _search_sections(index: GuidelineIndex, query: str) -> list[str]:
    names: dict[str, list[str]] = {}
    for s in index.sections.values():
        for title in (s.label, *s.aliases):
            names.setdefault(normalize(title), []).append(s.id)
    labels = {s.id: s.label for s in index.sections.values()}
    return rank_names(query, {k: tuple(v) for k, v in names.items()}, labels)


def guideline_labels(document_id: str, on: date | None, index: GuidelineIndex) -> set[str]:
    """Every label the document answers to: its MTUS labels (on the date, if given), family, own label."""
    document = index.documents[document_id]
    adoptions = [index.adoptions[a] for a in index.adoptions_by_document.get(document_id, ())]
    mtus = {a.citation_label for a in adoptions if on is None or a.in_force(on)}
    return {label.casefold() for label in (*mtus, document.citation_label, document.family)}


def _labelled(document_id: str, guideline: str, on: date | None, index: GuidelineIndex) -> bool:
    labels = guideline_labels(document_id, on, index)
    wanted = guideline.strip().casefold()
    return wanted in labels or (wanted == "mtus" and any(label.startswith("mtus") for label in labels))


def document_order(d: m.Document) -> tuple[object, ...]:
    return (d.family, -(d.year or 0), d.chapter or 0, d.label.casefold(), d.id)


def documents_as_of(index: GuidelineIndex, on: date | None) -> list[str]:
    """Documents a reviewer may use on the date (the resolver's rule), or all of them without a date.

    A document that left the MTUS, a DWC guideline not yet in force and a book not yet published
    are left out; ODG counts as current on any date.
    """
    ordered = sorted(index.documents.values(), key=document_order)
    return [d.id for d in ordered if on is None or document_standing(d, on, index) is not None]


def mtus_label(index: GuidelineIndex, document_id: str, on: date) -> str | None:
    """The MTUS citation label of the document on the date ("MTUS CPMTG"), None when not MTUS."""
    in_force = index.adoptions_on(document_id, on)
    return in_force[0].citation_label if in_force else None


def sections_of_condition(index: GuidelineIndex, condition_id: str) -> list[str]:
    return [s.id for s in sorted(index.sections.values(), key=lambda s: _section_order(s, index))
            if condition_id in s.applies_to]


def narrower_treatments(index: GuidelineIndex, treatment_id: str) -> list[str]:
    tree = index.treatment_tree
    return sorted(tree.predecessors(treatment_id)) if treatment_id in tree else []


def narrower_conditions(index: GuidelineIndex, condition_id: str) -> list[str]:
    tree = index.condition_tree
    return sorted(tree.predecessors(condition_id)) if condition_id in tree else []


# ---------------------------------------------------------------- formulary


@dataclass(frozen=True, slots=True)
class FormularyFound:
    entry: m.FormularyEntry
    list_version: m.DrugListVersion | None


@dataclass(frozen=True, slots=True)
class FormularyNotKnown:
    drug_id: str
    message: str


@dataclass(frozen=True, slots=True)
class DrugNotFound:
    message: str
    suggestions: tuple[str, ...]


def formulary_status(index: GuidelineIndex, drug: str, on: date) -> FormularyFound | FormularyNotKnown | DrugNotFound:
    """The MTUS Drug List status of a drug on a date, only as the graph records it; never guessed."""
    treatment = index.treatments.get(drug)
    if treatment is None:
        suggestions = [i for i in search_treatments(index, drug.split(":")[-1].replace("-", " "))
                       if index.treatments[i].kind in DRUG_KINDS][:5]
        return DrugNotFound(f"{drug} is not a treatment of the graph", tuple(suggestions))
    if treatment.kind not in DRUG_KINDS:
        return DrugNotFound(f"{treatment.label} is not a drug ({treatment.kind})", ())
    if on < DRUG_LIST_START:
        return FormularyNotKnown(drug, f"No MTUS Drug List applied on {on}: the list took effect on "
                                       f"{DRUG_LIST_START} (8 CCR 9792.27.1); formulary status not known.")
    entries = [index.formulary[e] for e in index.formulary_by_drug.get(drug, ())]
    in_force = sorted((e for e in entries if e.in_force(on)), key=lambda e: e.effective_from, reverse=True)
    if not in_force:
        return FormularyNotKnown(drug, f"The graph has no MTUS Drug List entry for {treatment.label} on {on}; "
                                       "formulary status not known.")
    entry = in_force[0]
    return FormularyFound(entry, index.list_versions.get(entry.list_version_id))


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True, slots=True)
class Guidance:
    """One guideline's best section for a service, with its criteria evaluated."""

    source: str  # MTUS, ACOEM, ODG
    citation: Citation | None
    criteria: tuple[CriterionResult, ...]
    governs: bool


@dataclass(frozen=True, slots=True)
class Comparison:
    treatment_id: str | None
    condition: str | None
    as_of: date
    guidance: tuple[Guidance, ...]
    governing: Citation | None
    outcome: str | None
    trace: tuple[str, ...]
    problems: tuple[str, ...] = field(default=())


def compare(index: GuidelineIndex, treatment_id: str, condition: str | None, as_of: date, *,
            today: date, steps: Steps | None = None) -> Comparison:
    """MTUS, ACOEM and ODG guidance for one treatment on a date, side by side, on the resolver.

    MTUS is the best section in force as MTUS on the date; ACOEM and ODG are the best sections
    those publishers wrote, other than the MTUS one (an ACOEM chapter adopted into the MTUS keeps
    its "MTUS ACOEM" label). A guideline silent on the service has no citation. `steps`: the
    resolver's steps as the caller keeps them (kg.resolve.CachedResolver), or as they are.
    """
    steps = steps or Steps.of(index)
    treatment = index.treatments.get(treatment_id)
    label = treatment.label if treatment else treatment_id
    diagnoses = [condition] if condition else []
    try:
        request = ResolveRequest.parse(on=as_of, services=[ServiceInput(label, treatment_id)],
                                       diagnoses=diagnoses, today=today)
    except InputError as exc:
        empty = tuple(Guidance(s, None, (), False) for s in COMPARED)
        return Comparison(None, condition, as_of, empty, None, None, (), (str(exc),))
    result = resolve(request, index, steps)[0]
    guidance: list[Guidance] = []
    for source in COMPARED:
        taken = {g.citation.section_id for g in guidance if g.citation}
        guidance.append(_guidance(source, taken, result, request, index, steps))
    return Comparison(result.treatment.id if result.treatment else None, condition, as_of, tuple(guidance),
                      result.governing, result.outcome.value, result.trace, result.problems)


def _guidance(source: str, taken: set[str], result: ServiceResolution, request: ResolveRequest,
              index: GuidelineIndex, steps: Steps) -> Guidance:
    best = next((c for c in result.candidates if c.section_id not in taken and _source_is(c, source, index)), None)
    if best is None:
        return Guidance(source, None, (), False)
    governs = result.governing is not None and best.section_id == result.governing.section_id
    criteria = result.criteria if governs else _criteria(best, result, request, index, steps)
    return Guidance(source, best, criteria, governs)


def _source_is(citation: Citation, source: str, index: GuidelineIndex) -> bool:
    if source == "MTUS":
        return citation.mtus
    return index.publisher_of(citation.document_id) == source


def _criteria(citation: Citation, result: ServiceResolution, request: ResolveRequest,
              index: GuidelineIndex, steps: Steps) -> tuple[CriterionResult, ...]:
    """A compared (not governing) section's criteria, judged on the same facts as the resolver's."""
    _, conditions = steps.diagnoses(request.diagnoses, request.date)
    treatment = result.treatment.id if result.treatment else ""
    lineage = frozenset(index.treatment_lineage(treatment))
    return steps.criteria(citation.section_id, request.facts, result.quantity, conditions,
                          result.phase or vocab.Phase.CHRONIC, lineage, request.date)


# ---------------------------------------------------------------- neighbourhood


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: str
    kind: str  # treatment, section, document, condition


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    relation: str  # addresses, in_document, applies_to, broader, parent_section


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    center: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    truncated: bool


def neighbourhood(index: GuidelineIndex, node_id: str, limit: int = MAX_NEIGHBOURS) -> Neighbourhood | None:
    """A small picture around a treatment, section or condition: at most `limit` nodes.

    Treatment: its broader and narrower treatments, the sections addressing it, their documents
    and conditions. Section: its document, parent, treatments and conditions. Condition: broader
    and narrower conditions, the sections applying to it and their documents.
    """
    builder = _Picture(index, limit)
    if node_id in index.treatments:
        builder.treatment(node_id)
    elif node_id in index.sections:
        builder.section(node_id, deep=True)
    elif node_id in index.conditions:
        builder.condition(node_id)
    else:
        return None
    return Neighbourhood(node_id, tuple(builder.nodes.values()), tuple(dict.fromkeys(builder.edges)),
                         builder.truncated)


class _Picture:
    def __init__(self, index: GuidelineIndex, limit: int) -> None:
        self.index, self.limit = index, limit
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.truncated = False

    def add(self, node_id: str) -> bool:
        if node_id in self.nodes:
            return True
        if len(self.nodes) >= self.limit:
            self.truncated = True
            return False
        ix = self.index
        if node_id in ix.treatments:
            node = Node(node_id, ix.treatments[node_id].label, "treatment")
        elif node_id in ix.sections:
            node = Node(node_id, ix.sections[node_id].label, "section")
        elif node_id in ix.documents:
            node = Node(node_id, ix.documents[node_id].label, "document")
        elif node_id in ix.conditions:
            c = ix.conditions[node_id]
            node = Node(node_id, f"{c.icd10} {c.label}" if c.icd10 else c.label, "condition")
        else:
            return False
        self.nodes[node_id] = node
        return True

    def link(self, source: str, target: str, relation: str) -> None:
        if self.add(source) and self.add(target):
            self.edges.append(Edge(source, target, relation))

    def treatment(self, tid: str) -> None:
        self.add(tid)
        t = self.index.treatments[tid]
        for parent in t.broader:
            self.link(tid, parent, "broader")
        for child in narrower_treatments(self.index, tid):
            self.link(child, tid, "broader")
        for sid in self.index.sections_by_treatment.get(tid, ()):
            self.link(sid, tid, "addresses")
            self.section(sid, deep=False)

    def section(self, sid: str, deep: bool) -> None:
        s = self.index.sections[sid]
        self.link(sid, s.document_id, "in_document")
        for cid in s.applies_to:
            self.link(sid, cid, "applies_to")
        if deep:
            if s.parent:
                self.link(sid, s.parent, "parent_section")
            for tid in s.addresses:
                self.link(sid, tid, "addresses")

    def condition(self, cid: str) -> None:
        self.add(cid)
        c = self.index.conditions[cid]
        for parent in c.broader:
            self.link(cid, parent, "broader")
        for child in narrower_conditions(self.index, cid):
            self.link(child, cid, "broader")
        for sid in sections_of_condition(self.index, cid):
            self.link(sid, cid, "applies_to")
            self.section(sid, deep=False)
