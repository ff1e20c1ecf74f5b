"""What the operations answer: resolutions, comparisons, formulary status, graph facts, pictures.

Outcomes a client can act on are values here (union members, outcome enums), never top-level
errors (STYLE.md §3 "Errors as data").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any

import strawberry

from graphql_api.context import Info
from graphql_api.drugs import DrugListAnswer, OpioidDose
from graphql_api.enums import (
    CRITERION_STATUS,
    OUTCOME,
    PHASE,
    RECOMMENDATION,
    CriterionStatus,
    DrugListStatus,
    GuidelineSource,
    NodeKind,
    Outcome,
    Phase,
    Recommendation,
    Relation,
)
from graphql_api.types import Criterion, GuidelineDocument, GuidelineSection, Treatment
from kg import lookup
from kg import model as m
from kg.index import GuidelineIndex
from kg.resolve import outcome as out


@strawberry.type(
    description="How to cite a guideline section, the way determination letters cite it."
)
class Citation:
    guideline: str = strawberry.field(
        description="The label letters use on that date: MTUS CPMTG, MTUS ACOEM, "
        "ACOEM, ODG, Other, ..."
    )
    mtus: bool = strawberry.field(
        description="Whether the section was part of the MTUS on the date."
    )
    document: str = strawberry.field(description="The document's title as letters print it.")
    edition: str | None = strawberry.field(
        description='The edition as letters print it, e.g. "2nd Ed. (2004)".'
    )
    chapter: str | None = strawberry.field(
        description="Chapter number, if the document is a chapter."
    )
    section: str = strawberry.field(description="The section's title.")
    pages: str | None = strawberry.field(
        description='Pages, for page-cited documents, e.g. "98-99".'
    )
    text: str = strawberry.field(
        description='The full citation, ready for a letter, e.g. "MTUS Chronic Pain '
        'Medical Treatment Guidelines (2009), Physical Medicine, pp. 98-99".'
    )
    evidence_step: int = strawberry.field(
        description="Step of the legal search sequence (1 = MTUS; 2 = ACOEM or "
        "ODG; 3 = other guidelines), 8 CCR 9792.21.1."
    )
    recommendation: Recommendation = strawberry.field(
        description="What the section says of the treatment."
    )
    confidence: str = strawberry.field(
        description='How sure the citation is, in plain words: "verified against the '
        'regulation", "seen in letters" (the title or pages are known because real IMR letters '
        'cite them) or "unverified" (researcher knowledge, not checked against the guideline). '
        "Say so when you copy the citation."
    )
    confidence_mark: str | None = strawberry.field(
        description="The cited section's confidence mark behind `confidence` (V2+, V1, REQ, "
        "LETTERS, U; null = checked against the regulation)."
    )
    source: str = strawberry.field(
        description="Where the cited section's title, pages and criteria come from (regulation, "
        "guideline, DWC IMR letters by case number)."
    )
    section_id: strawberry.Private[str]
    document_id: strawberry.Private[str]
    on: strawberry.Private[date | None]

    @classmethod
    def from_domain(cls, c: out.Citation, on: date | None) -> Citation:
        return cls(
            guideline=c.guideline,
            mtus=c.mtus,
            document=c.document,
            edition=c.edition,
            chapter=c.chapter,
            section=c.section,
            pages=c.pages,
            text=c.text,
            evidence_step=c.evidence_step,
            recommendation=RECOMMENDATION[c.recommendation],
            confidence=c.confidence,
            confidence_mark=c.confidence_mark,
            source=c.source,
            section_id=c.section_id,
            document_id=c.document_id,
            on=on,
        )

    @strawberry.field(description="The cited section, with its criteria and what it addresses.")
    def guideline_section(self, info: Info) -> GuidelineSection:
        return GuidelineSection.from_domain(info.context.index.sections[self.section_id])

    @strawberry.field(description="The cited document, with its MTUS status on the request date.")
    def guideline_document(self, info: Info) -> GuidelineDocument:
        return GuidelineDocument.from_domain(
            info.context.index.documents[self.document_id], self.on
        )


@strawberry.type(
    description="One criterion of the governing section, judged against the facts given."
)
class CriterionResult:
    id: strawberry.ID = strawberry.field(
        description="The criterion's id (`rule:` ids are rules of the resolver)."
    )
    text: str = strawberry.field(description="The criterion in plain words.")
    status: CriterionStatus = strawberry.field(
        description="Met, not met, or not decidable on the facts given."
    )
    needs: list[str] = strawberry.field(
        description="Facts that would decide it (keys of ClinicalFactsInput in "
        "snake_case, or `quantity`, `diagnosis`, `clinical_documentation`)."
    )

    @classmethod
    def from_domain(cls, r: out.CriterionResult) -> CriterionResult:
        return cls(
            id=strawberry.ID(r.id),
            text=r.text,
            status=CRITERION_STATUS[r.status.value],
            needs=list(r.needs),
        )

    @strawberry.field(
        description="The criterion as the graph records it (null for rules of the resolver)."
    )
    def criterion(self, info: Info) -> Criterion | None:
        found = info.context.index.criteria.get(self.id)
        return Criterion.from_domain(found) if found else None


@strawberry.type(
    description="The answer for one requested service: which guideline governs on the date, how to "
    "cite it, the other candidates, and its criteria judged against the facts."
)
class ServiceResolution:
    request: str = strawberry.field(description="The service as it was requested.")
    outcome: Outcome = strawberry.field(
        description="Whether a section governs, and if not, why not."
    )
    quantity: float | None = strawberry.field(
        description='Quantity read from the request (e.g. 6 for "x6").'
    )
    governing: Citation | None = strawberry.field(
        description="The governing citation (null unless RESOLVED)."
    )
    candidates: list[Citation] = strawberry.field(
        description="Every section that addresses the service on the "
        "date, in the order of the legal search sequence; the first "
        "governs, the others are for comparison."
    )
    criteria: list[CriterionResult] = strawberry.field(
        description="The governing section's criteria and any "
        "statutory caps, judged against the facts."
    )
    trace: list[str] = strawberry.field(description="Why: each step of the decision, in order.")
    problems: list[str] = strawberry.field(
        description="Things in the request that could not be used (an unknown "
        "or retired diagnosis code, an unknown treatment id, ...)."
    )
    body_regions: list[str] = strawberry.field(description="Body regions the decision used.")
    phase: Phase | None = strawberry.field(
        description="Phase of care the decision used (given or inferred)."
    )
    treatment: Treatment | None = strawberry.field(
        description="The treatment the service was read as (null when unknown or ambiguous)."
    )
    drug_list: DrugListAnswer | None = strawberry.field(
        description="For a drug: its MTUS Drug List standing on the date (from 2018-01-01), with "
        "the list version and source, or why it is not known (null for other services)."
    )
    dose: OpioidDose | None = strawberry.field(
        description="For an opioid: the daily MME the request asks for and the dose thresholds "
        "judged on it (null for other services)."
    )
    suggestion_ids: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_domain(
        cls, r: out.ServiceResolution, on: date, index: GuidelineIndex
    ) -> ServiceResolution:
        return cls(
            request=r.request,
            outcome=OUTCOME[r.outcome.value],
            quantity=r.quantity,
            governing=_CONVERTED.citation(r.governing, on) if r.governing else None,
            candidates=[_CONVERTED.citation(c, on) for c in r.candidates],
            criteria=[_CONVERTED.criterion(c) for c in r.criteria],
            trace=list(r.trace),
            problems=list(r.problems),
            body_regions=list(r.body_regions),
            phase=PHASE[r.phase] if r.phase else None,
            treatment=_CONVERTED.treatment(
                index.treatments.get(r.treatment.id) if r.treatment else None
            ),
            drug_list=DrugListAnswer.from_domain(r.drug_list) if r.drug_list else None,
            dose=OpioidDose.from_domain(r.dose) if r.dose else None,
            suggestion_ids=tuple(s.id for s in r.suggestions),
        )

    @strawberry.field(
        description="Treatments the text might mean, for UNKNOWN_SERVICE and AMBIGUOUS."
    )
    def suggestions(self, info: Info) -> list[Treatment]:
        return Treatment.many(info.context.index, self.suggestion_ids)


@strawberry.type(
    description="The services resolved, one per requested service, in the order requested."
)
class ResolveSuccess:
    services: list[ServiceResolution] = strawberry.field(
        description="One answer per requested service, in order."
    )

    @classmethod
    def from_domain(
        cls, answers: Sequence[out.ServiceResolution], on: date, index: GuidelineIndex
    ) -> ResolveSuccess:
        return cls(services=[ServiceResolution.from_domain(a, on, index) for a in answers])


class _Converted:
    """GraphQL values made from kg values, kept by the kg value's identity (and the request date a
    citation carries). kg's memos hand back the same citation, criterion and treatment values
    whenever the same question comes again, and the services of one answer share most of them, so
    most are converted once. The kg value is held with its conversion, so its id is never reused
    while the entry lives; the whole table is dropped when it reaches `size` (after a reload, the
    old graph's values go with it). GraphQL values are never changed once made, so sharing them
    between answers is safe."""

    def __init__(self, size: int = 8192) -> None:
        self.size = size
        self.items: dict[tuple[int, date | None], tuple[object, object]] = {}
        self.lock = threading.Lock()  # answers are converted in worker threads too

    def _get(self, value: Any, on: date | None, make: Callable[..., object], *args: Any) -> Any:
        """`make(value, *args)`, once per (value, on) while the entry lives."""
        key = (id(value), on)
        found = self.items.get(key)
        if found is not None and found[0] is value:
            return found[1]
        made = make(value, *args)
        with self.lock:
            if len(self.items) >= self.size:
                self.items = {}
            self.items[key] = (value, made)
        return made

    def citation(self, c: out.Citation, on: date) -> Citation:
        return self._get(c, on, Citation.from_domain, on)  # type: ignore[no-any-return]

    def criterion(self, c: out.CriterionResult) -> CriterionResult:
        return self._get(c, None, CriterionResult.from_domain)  # type: ignore[no-any-return]

    def treatment(self, t: m.Treatment | None) -> Treatment | None:
        # type: ignore[no-any-return]
        return None if t is None else self._get(t, None, Treatment.from_domain)


_CONVERTED = _Converted()


@strawberry.type(
    description="The request cannot be served as given (a malformed or out-of-range date, too many "
    "services, a bad fact). Nothing was resolved; correct the input and ask again."
)
class InvalidInput:
    message: str = strawberry.field(description="What is wrong, in plain words.")
    field: str | None = strawberry.field(
        description="The input field at fault, when known (e.g. `date`)."
    )


ResolveResult = Annotated[
    ResolveSuccess | InvalidInput,
    strawberry.union(
        "ResolveResult", description="The answer to a resolve request, or why the input is invalid."
    ),
]


@strawberry.type(description="One guideline's guidance on the compared service.")
class Guidance:
    source: GuidelineSource = strawberry.field(description="Which guideline this column is.")
    citation: Citation | None = strawberry.field(
        description="Its best section on the date (null = silent on it)."
    )
    recommendation: Recommendation | None = strawberry.field(
        description="What that section recommends."
    )
    criteria: list[CriterionResult] = strawberry.field(
        description="That section's criteria, judged on the facts "
        "(none given by compare, so mostly not decidable)."
    )
    governs: bool = strawberry.field(
        description="Whether this column is the governing guidance on the date."
    )

    @classmethod
    def from_domain(cls, g: lookup.Guidance, on: date) -> Guidance:
        return cls(
            source=GuidelineSource(g.source),
            citation=Citation.from_domain(g.citation, on) if g.citation else None,
            recommendation=Recommendation(g.citation.recommendation) if g.citation else None,
            criteria=[CriterionResult.from_domain(c) for c in g.criteria],
            governs=g.governs,
        )


@strawberry.type(description="MTUS, ACOEM and ODG guidance on one service on a date, side by side.")
class Comparison:
    as_of: date = strawberry.field(description="The date compared on.")
    condition: str | None = strawberry.field(
        description="The diagnosis the comparison used, as given."
    )
    guidance: list[Guidance] = strawberry.field(
        description="MTUS, ACOEM and ODG, always in that order."
    )
    governing: Citation | None = strawberry.field(
        description="The citation that governs on the date."
    )
    outcome: Outcome | None = strawberry.field(
        description="The resolver's outcome (null if the input was invalid)."
    )
    trace: list[str] = strawberry.field(description="The resolver's reasons, step by step.")
    problems: list[str] = strawberry.field(
        description="Input that could not be used (e.g. a date before the "
        "first MTUS, an unknown treatment id)."
    )
    treatment_id: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, c: lookup.Comparison) -> Comparison:
        return cls(
            as_of=c.as_of,
            condition=c.condition,
            guidance=[Guidance.from_domain(g, c.as_of) for g in c.guidance],
            governing=Citation.from_domain(c.governing, c.as_of) if c.governing else None,
            outcome=Outcome(c.outcome) if c.outcome else None,
            trace=list(c.trace),
            problems=list(c.problems),
            treatment_id=c.treatment_id,
        )

    @strawberry.field(description="The treatment compared (null when the id is not in the graph).")
    def treatment(self, info: Info) -> Treatment | None:
        found = Treatment.many(info.context.index, [self.treatment_id] if self.treatment_id else [])
        return found[0] if found else None


@strawberry.type(
    description="A drug's MTUS Drug List status on the date, as recorded in the graph."
)
class FormularyStatus:
    status: DrugListStatus = strawberry.field(description="Exempt or Non-Exempt.")
    special_fill_days: int | None = strawberry.field(
        description="Days supply allowed under Special Fill, if any."
    )
    perioperative_fill_days: int | None = strawberry.field(
        description="Days supply allowed under Perioperative Fill, if any."
    )
    list_version: str | None = strawberry.field(
        description="Version of the MTUS Drug List the entry belongs to."
    )
    effective_from: date = strawberry.field(description="First day the entry applied.")
    effective_until: date | None = strawberry.field(
        description="First day it no longer applied (null = current)."
    )
    confidence: str | None = strawberry.field(
        description="How well the entry is verified (null = checked)."
    )
    drug: Treatment = strawberry.field(description="The drug.")


@strawberry.type(
    description="The graph does not know the drug's formulary status on the date: before the MTUS "
    "Drug List (2018-01-01) or without a recorded entry. Never guessed."
)
class NotOnFormulary:
    message: str = strawberry.field(description="Why the status is not known.")
    drug: Treatment = strawberry.field(description="The drug.")


@strawberry.type(description="The id names no drug of the graph.")
class UnknownDrug:
    message: str = strawberry.field(description="What was not found.")
    suggestions: list[Treatment] = strawberry.field(description="Drugs the id might mean.")


FormularyStatusResult = Annotated[
    FormularyStatus | NotOnFormulary | UnknownDrug,
    strawberry.union(
        "FormularyStatusResult",
        description="A drug's MTUS Drug List status on a date, or why it is not known.",
    ),
]


def formulary_result(
    answer: lookup.FormularyFound | lookup.FormularyNotKnown | lookup.DrugNotFound,
    index: GuidelineIndex,
) -> FormularyStatus | NotOnFormulary | UnknownDrug:
    if isinstance(answer, lookup.DrugNotFound):
        return UnknownDrug(
            message=answer.message, suggestions=Treatment.many(index, answer.suggestions)
        )
    if isinstance(answer, lookup.FormularyNotKnown):
        return NotOnFormulary(
            message=answer.message, drug=Treatment.from_domain(index.treatments[answer.drug_id])
        )
    e = answer.entry
    return FormularyStatus(
        status=DrugListStatus(e.status),
        special_fill_days=e.special_fill_days,
        perioperative_fill_days=e.perioperative_fill_days,
        list_version=answer.list_version.version if answer.list_version else None,
        effective_from=e.effective_from,
        effective_until=e.effective_until,
        confidence=e.provenance.confidence,
        drug=Treatment.from_domain(index.treatments[e.drug_id]),
    )


@strawberry.type(description="Sections in the graph by publisher.")
class PublisherCounts:
    dwc: int = strawberry.field(
        description="Sections of DWC guidelines (CPMTG, post-surgical, ...)."
    )
    acoem: int = strawberry.field(description="Sections of ACOEM guidelines.")
    odg: int = strawberry.field(description="Sections of ODG.")


@strawberry.type(description="How much the graph holds.")
class GraphCounts:
    triples: int = strawberry.field(description="RDF triples loaded (ontology and data).")
    documents: int = strawberry.field(description="Guideline documents.")
    sections: int = strawberry.field(description="Guideline sections.")
    criteria: int = strawberry.field(description="Criteria, groups and statutory caps.")
    conditions: int = strawberry.field(description="Diagnoses.")
    treatments: int = strawberry.field(description="Treatments.")
    formulary_entries: int = strawberry.field(description="MTUS Drug List entries.")
    sections_by_publisher: PublisherCounts = strawberry.field(description="Sections by publisher.")


@strawberry.type(description="Which graph answers, and since when.")
class GraphInfo:
    version: str = strawberry.field(
        description="Fingerprint of the loaded data, ontology and code."
    )
    counts: GraphCounts = strawberry.field(description="How much the graph holds.")
    loaded_at: datetime = strawberry.field(description="When this server loaded the graph (UTC).")

    @classmethod
    def of(cls, index: GuidelineIndex, loaded_at: datetime) -> GraphInfo:
        stats = index.stats()
        publishers = stats["sections_by_publisher"]
        counts = GraphCounts(
            **{k: v for k, v in stats.items() if k != "sections_by_publisher"},
            sections_by_publisher=PublisherCounts(
                dwc=publishers.get("DWC", 0),
                acoem=publishers.get("ACOEM", 0),
                odg=publishers.get("ODG", 0),
            ),
        )
        return cls(version=index.version, counts=counts, loaded_at=loaded_at)


@strawberry.type(description="A node of a neighbourhood picture.")
class GraphNode:
    id: strawberry.ID = strawberry.field(
        description="The node's id (look it up with treatment, section, ...)."
    )
    label: str = strawberry.field(description="A short name to draw.")
    kind: NodeKind = strawberry.field(description="What the node is.")


@strawberry.type(description="A link of a neighbourhood picture, from source to target.")
class GraphEdge:
    source: strawberry.ID = strawberry.field(description="Id of the node the link starts from.")
    target: strawberry.ID = strawberry.field(description="Id of the node the link points to.")
    relation: Relation = strawberry.field(description="How the two are related.")


@strawberry.type(
    description="A small picture of the graph around one treatment, section or condition "
    "(at most 60 nodes), for drawing."
)
class Neighbourhood:
    center: strawberry.ID = strawberry.field(description="The node the picture is drawn around.")
    nodes: list[GraphNode] = strawberry.field(description="The nodes, the centre first.")
    edges: list[GraphEdge] = strawberry.field(description="The links between them.")
    truncated: bool = strawberry.field(
        description="Whether nodes were left out to keep the picture small."
    )

    @classmethod
    def from_domain(cls, n: lookup.Neighbourhood) -> Neighbourhood:
        return cls(
            center=strawberry.ID(n.center),
            nodes=[
                GraphNode(id=strawberry.ID(x.id), label=x.label, kind=NodeKind(x.kind))
                for x in n.nodes
            ],
            edges=[
                GraphEdge(
                    source=strawberry.ID(e.source),
                    target=strawberry.ID(e.target),
                    relation=Relation(e.relation),
                )
                for e in n.edges
            ],
            truncated=n.truncated,
        )
