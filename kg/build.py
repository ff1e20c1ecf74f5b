"""Graph -> GuidelineIndex: one walk over the rdflib graph at load time."""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import networkx as nx
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg import model as m
from kg.index import GuidelineIndex
from kg.names import NameWords
from kg.namespaces import GL, curie
from kg.reach import compile_reach
from kg.text import normalize
from kg.titles import Titles

Props = dict[URIRef, list[Any]]


def build_index(graph: Graph, version: str = "") -> GuidelineIndex:
    props = _by_subject(graph)
    typed = _by_type(graph)
    editions = _map(typed[GL.GuidelineEdition], props, _edition)
    documents = _map(
        typed[GL.GuidelineDocument], props, lambda s, p: _document(s, p, editions, props)
    )
    facts = _map(typed[GL.ClinicalFact], props, _fact)  # keyed "gl:fact-..."
    fact_keys = {node.removeprefix("gl:"): fact.key for node, fact in facts.items()}
    criteria = _map(
        typed[GL.Criterion] | typed[GL.CriterionGroup] | typed[GL.StatutoryOverlay],
        props,
        lambda s, p: _criterion(s, p, fact_keys),
    )
    index = GuidelineIndex(
        version=version,
        triples=len(graph),
        editions=editions,
        documents=documents,
        adoptions=_map(typed[GL.MtusAdoption], props, _adoption),
        sections=_map(typed[GL.GuidelineSection], props, _section),
        criteria=criteria,
        conditions=_map(typed[GL.Condition], props, _condition),
        treatments=_map(typed[GL.Treatment], props, _treatment),
        formulary=_map(typed[GL.FormularyEntry], props, _formulary_entry),
        list_versions=_map(typed[GL.DrugListVersion], props, _list_version),
        steps=tuple(
            sorted(
                _map(typed[GL.EvidenceStep], props, _step).values(),
                key=lambda s: (s.effective_from, s.order),
            )
        ),
        facts={fact.key: fact for fact in facts.values()},
        family_publishers={
            curie(str(s)).removeprefix("gl:"): _str(props[s], GL.publisher) or "other"
            for s in typed[GL.GuidelineFamily]
        },
        overlays=tuple(sorted(curie(str(s)) for s in typed[GL.StatutoryOverlay])),
        citation_counts=tuple(_map(typed[GL.CitationCount], props, _citation_count).values()),
    )
    _add_lookups(index)
    return index


def _add_lookups(index: GuidelineIndex) -> None:
    """Fill the lookup dicts of a freshly built index (the only mutation it ever sees)."""
    lk = index.__dict__
    lk["treatment_names"] = _names(
        (t.id, (t.label, *t.aliases, *t.brand_names)) for t in index.treatments.values()
    )
    lk["condition_names"] = _names((c.id, (c.label, *c.aliases)) for c in index.conditions.values())
    lk["treatment_words"] = NameWords.of(lk["treatment_names"])
    # the condition names by length (the fuzzy match scores a window of lengths), and their places
    by_length = sorted(enumerate(lk["condition_names"]), key=lambda item: (len(item[1]), item[0]))
    lk["condition_choices"] = tuple(name for _, name in by_length)
    lk["condition_choice_lengths"] = tuple(len(name) for _, name in by_length)
    lk["condition_choice_order"] = tuple(place for place, _ in by_length)
    lk["condition_by_icd10"] = {c.icd10.upper(): c.id for c in index.conditions.values() if c.icd10}
    lk["icd10_unknown"] = _icd10_unknown(index.conditions.values())
    lk["conditions_by_icd9"] = _group(
        (code, c.id) for c in index.conditions.values() for code in c.icd9
    )
    lk["sections_by_treatment"] = _group(
        (t, s.id) for s in index.sections.values() for t in s.addresses
    )
    lk["sections_mentioning"] = _group(
        (t, s.id) for s in index.sections.values() for t in s.mentions
    )
    lk["counts_by_treatment"] = _group((c.treatment_id or "", c) for c in index.citation_counts)
    lk["sections_by_document"] = _group((s.document_id, s.id) for s in index.sections.values())
    lk["section_titles"] = _group(
        ((s.document_id, normalize(title)), s.id)
        for s in index.sections.values()
        for title in _section_titles(s)
    )
    lk["document_titles"] = _group(
        (normalize(title), d.id)
        for d in index.documents.values()
        for title in (d.label, d.letter_title, *d.aliases)
    )
    lk["titles"] = Titles.of(
        index.documents.values(), index.adoptions.values(), lk["section_titles"]
    )
    lk["adoptions_by_document"] = _group((a.document_id, a.id) for a in index.adoptions.values())
    lk["formulary_by_drug"] = _group((f.drug_id, f.id) for f in index.formulary.values())
    lk["treatment_tree"] = _tree((t.id, t.broader) for t in index.treatments.values())
    lk["condition_tree"] = _tree((c.id, c.broader) for c in index.conditions.values())
    lk["treatment_ancestors"] = _ancestors(lk["treatment_tree"])
    lk["condition_ancestors"] = _ancestors(lk["condition_tree"])
    lk["reached"] = compile_reach(index)  # reads the trees above


def _icd10_unknown(conditions: Iterable[m.Condition]) -> dict[str, str]:
    """Conditions whose ICD-10-CM code the code set (simple-icd-10-cm) does not hold."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # simple_icd_10_cm imports pkg_resources
        import simple_icd_10_cm as icd

    return {c.id: c.icd10 for c in conditions if c.icd10 and not icd.is_valid_item(c.icd10)}


def _section_titles(section: m.Section) -> tuple[str, ...]:
    numbered = (section.number, f"{section.number} {section.label}") if section.number else ()
    return (section.label, *section.aliases, *numbered)


def _names(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, tuple[str, ...]]:
    return _group(
        (normalize(name), node) for node, names in pairs for name in names if normalize(name)
    )


def _group(pairs: Iterable[tuple[Any, str]]) -> dict[Any, tuple[str, ...]]:
    grouped: dict[Any, list[str]] = defaultdict(list)
    for key, value in pairs:
        if value not in grouped[key]:
            grouped[key].append(value)
    return {key: tuple(values) for key, values in grouped.items()}


def _tree(edges: Iterable[tuple[str, tuple[str, ...]]]) -> nx.DiGraph:
    """child -> parent edges; every node present even without a parent."""
    tree = nx.DiGraph()
    for child, parents in edges:
        tree.add_node(child)
        tree.add_edges_from((child, parent) for parent in parents)
    return tree


def _ancestors(tree: nx.DiGraph) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each node's ancestors with their distance, nearest first (the node itself at 0)."""
    out = {}
    for node in tree.nodes:
        lengths = nx.single_source_shortest_path_length(tree, node)
        out[node] = tuple(sorted(lengths.items(), key=lambda item: (item[1], item[0])))
    return out


# ---------------------------------------------------------------- graph access


def _by_subject(graph: Graph) -> dict[URIRef, Props]:
    props: dict[URIRef, Props] = defaultdict(lambda: defaultdict(list))
    for s, p, o in graph:
        if isinstance(s, URIRef):
            props[s][p].append(o)
    return props


def _by_type(graph: Graph) -> dict[URIRef, set[URIRef]]:
    typed: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, cls in graph.subject_objects(RDF.type):
        if isinstance(s, URIRef) and isinstance(cls, URIRef):
            typed[cls].add(s)
    return typed


def _map(subjects: Iterable[URIRef], props: dict[URIRef, Props], make: Any) -> dict[str, Any]:
    return {curie(str(s)): make(s, props[s]) for s in sorted(subjects)}


def _str(p: Props, key: URIRef) -> str | None:
    values = p.get(key)
    return str(values[0]) if values else None


def _strs(p: Props, key: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in p.get(key, ())))


def _ids(p: Props, key: URIRef) -> tuple[str, ...]:
    return tuple(sorted(curie(str(v)) for v in p.get(key, ())))


def _local(p: Props, key: URIRef) -> str | None:
    """The ontology local name of a vocabulary individual (gl:Chronic -> 'Chronic')."""
    value = _str(p, key)
    return value.rsplit("#", 1)[-1] if value else None


def _locals(p: Props, key: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(v).rsplit("#", 1)[-1] for v in p.get(key, ())))


def _int(p: Props, key: URIRef) -> int | None:
    value = p.get(key)
    return int(value[0].toPython()) if value else None


def _num(p: Props, key: URIRef) -> float | None:
    value = p.get(key)
    return float(value[0].toPython()) if value else None


def _date(p: Props, key: URIRef) -> date | None:
    value = p.get(key)
    if not value:
        return None
    py = value[0].toPython() if isinstance(value[0], Literal) else value[0]
    return py if isinstance(py, date) else date.fromisoformat(str(py)[:10])


def _bool(p: Props, key: URIRef, default: bool) -> bool:
    value = p.get(key)
    return bool(value[0].toPython()) if value else default


def _prov(p: Props) -> m.Provenance:
    return m.Provenance(_strs(p, DCTERMS.source), _label_of_confidence(p))


def _label_of_confidence(p: Props) -> str | None:
    local = _local(p, GL.confidence)
    return {"V2plus": "V2+"}.get(local, local) if local else None


def _label(p: Props) -> str:
    return _str(p, RDFS.label) or _str(p, SKOS.prefLabel) or ""


# ---------------------------------------------------------------- node builders


def _edition(s: URIRef, p: Props) -> m.Edition:
    return m.Edition(
        curie(str(s)),
        _label(p),
        _local(p, GL.family) or "",
        _str(p, GL.editionLabel) or "",
        _int(p, GL.editionYear),
        _date(p, GL.publicationDate),
        _prov(p),
    )


def _document(
    s: URIRef, p: Props, editions: dict[str, m.Edition], props: dict[URIRef, Props]
) -> m.Document:
    edition_id = _ids(p, GL.edition)[0] if p.get(GL.edition) else ""
    edition = editions.get(edition_id)
    return m.Document(
        id=curie(str(s)),
        label=_label(p),
        letter_title=_str(p, GL.letterTitle) or _label(p),
        aliases=_strs(p, SKOS.altLabel),
        family=_local(p, GL.family) or "",
        edition_id=edition_id,
        edition_label=edition.edition_label if edition else "",
        year=edition.year if edition else None,
        chapter=_int(p, GL.chapterNumber),
        cite_style=_local(p, GL.citeStyle) or "SectionName",
        citation_label=_str(p, GL.citationLabel) or "Other",
        page_start=_int(p, GL.pageStart),
        page_end=_int(p, GL.pageEnd),
        body_regions=_locals(p, GL.bodyRegion),
        superseded_by=_ids(p, GL.supersededBy)[0] if p.get(GL.supersededBy) else None,
        devoted_to=_ids(p, GL.devotedTo),
        devoted_to_conditions=_ids(p, GL.devotedToCondition),
        phases=_locals(p, GL.phase),
        publication_date=_date(p, GL.publicationDate)
        or (edition.publication_date if edition else None),
        provenance=_prov(p),
    )


def _adoption(s: URIRef, p: Props) -> m.Adoption:
    return m.Adoption(
        curie(str(s)),
        _ids(p, GL.adopts)[0],
        _str(p, GL.citationLabel) or "",
        _str(p, GL.regulation) or "",
        _str(p, GL.mtusPart),
        _date(p, GL.effectiveFrom) or date.min,
        _date(p, GL.effectiveUntil),
        _prov(p),
    )


def _section(s: URIRef, p: Props) -> m.Section:
    return m.Section(
        id=curie(str(s)),
        document_id=_ids(p, GL.inDocument)[0],
        label=_label(p),
        aliases=_strs(p, SKOS.altLabel),
        number=_str(p, GL.sectionNumber),
        page_start=_int(p, GL.pageStart),
        page_end=_int(p, GL.pageEnd),
        addresses=_ids(p, GL.addresses),
        mentions=_ids(p, GL.mentions),
        applies_to=_ids(p, GL.appliesTo),
        body_regions=_locals(p, GL.bodyRegion),
        phases=_locals(p, GL.phase),
        recommendation=_local(p, GL.recommendation) or "NoRecommendation",
        evidence_grade=_str(p, GL.evidenceGrade),
        summary=_str(p, GL.summary),
        criteria=_ids(p, GL.hasCriterion),
        parent=_ids(p, GL.parentSection)[0] if p.get(GL.parentSection) else None,
        cited_in=_strs(p, GL.citedInLetters),
        provenance=_prov(p),
    )


def _criterion(s: URIRef, p: Props, fact_keys: dict[str, str]) -> m.Criterion:
    fact = _str(p, GL.requiresFact)
    return m.Criterion(
        id=curie(str(s)),
        kind=_local(p, GL.criterionKind) or "",
        text=_str(p, GL.text) or "",
        max_units=_num(p, GL.maxUnits),
        min_units=_num(p, GL.minUnits),
        unit=_str(p, GL.unit),
        per_weeks=_num(p, GL.perWeeks),
        max_weeks=_num(p, GL.maxWeeks),
        requires_fact=fact_keys.get(fact.rsplit("#", 1)[-1]) if fact else None,
        expected_value=_bool(p, GL.expectedValue, True),
        for_conditions=_ids(p, GL.forCondition),
        excludes=_ids(p, GL.excludesTreatment),
        logic=_local(p, GL.logic),
        at_least=_int(p, GL.atLeast),
        members=_ids(p, GL.member),
        legal_basis=_str(p, GL.legalBasis),
        applies_to_treatments=_ids(p, GL.appliesToTreatment),
        except_phases=_locals(p, GL.exceptPhase),
        injury_on_or_after=_date(p, GL.injuryOnOrAfter),
        provenance=_prov(p),
    )


def _condition(s: URIRef, p: Props) -> m.Condition:
    return m.Condition(
        curie(str(s)),
        _label(p),
        _strs(p, SKOS.altLabel),
        _str(p, GL.icd10Code),
        _strs(p, GL.icd9Code),
        _locals(p, GL.bodyRegion),
        _ids(p, SKOS.broader),
        _date(p, GL.codeValidFrom),
        _date(p, GL.codeValidUntil),
        _ids(p, GL.replacedBy),
        _prov(p),
    )


def _treatment(s: URIRef, p: Props) -> m.Treatment:
    return m.Treatment(
        curie(str(s)),
        _label(p),
        _strs(p, SKOS.altLabel),
        _strs(p, GL.brandName),
        _local(p, GL.treatmentKind) or "",
        _str(p, GL.rxcui),
        _local(p, GL.route),
        _ids(p, SKOS.broader),
        _ids(p, GL.hasIngredient),
        _locals(p, GL.bodyRegion),
        _prov(p),
        next(iter(_ids(p, GL.topicalForm)), None),
    )


def _formulary_entry(s: URIRef, p: Props) -> m.FormularyEntry:
    return m.FormularyEntry(
        curie(str(s)),
        _ids(p, GL.drug)[0],
        _local(p, GL.formularyStatus) or "",
        _int(p, GL.specialFillDays),
        _int(p, GL.perioperativeFillDays),
        _ids(p, GL.listVersion)[0],
        _date(p, GL.effectiveFrom) or date.min,
        _date(p, GL.effectiveUntil),
        _prov(p),
    )


def _list_version(s: URIRef, p: Props) -> m.DrugListVersion:
    return m.DrugListVersion(
        curie(str(s)),
        _str(p, GL.versionNumber) or "",
        _date(p, GL.effectiveFrom) or date.min,
        _prov(p),
        _date(p, GL.effectiveUntil),
    )


def _step(s: URIRef, p: Props) -> m.EvidenceStep:
    return m.EvidenceStep(
        curie(str(s)),
        _int(p, GL.stepOrder) or 0,
        _label(p),
        _str(p, GL.legalBasis) or "",
        _locals(p, GL.includesFamily),
        _bool(p, GL.isMtusStep, False),
        _str(p, GL.searchRule) or "",
        _date(p, GL.effectiveFrom) or date.min,
        _date(p, GL.effectiveUntil),
    )


def _citation_count(s: URIRef, p: Props) -> m.CitationCount:
    treatment = _ids(p, GL.countedTreatment)
    return m.CitationCount(
        curie(str(s)),
        treatment[0] if treatment else None,
        _local(p, GL.citedFamily) or "",
        _int(p, GL.itemCount) or 0,
        _prov(p),
    )


def _fact(s: URIRef, p: Props) -> m.ClinicalFact:
    return m.ClinicalFact(
        _str(p, GL.factKey) or "",
        _str(p, GL.factType) or "string",
        _label(p),
        _str(p, RDFS.comment) or "",
    )
