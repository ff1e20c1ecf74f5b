"""The graph as JSON-LD with a compact `@context`: readable keys ("label", "addresses",
"effectiveFrom"), node references as compact IRIs ("tx:mri", "sec:cpmtg-2016-lidoderm"), the
ontology's enumerations by name ("Chronic", "Drug"), and typed literals as plain values.

The context is made from the graph itself: every prefix it binds, and a term for every property of
the ontology (gl:) with its value type, so a new property needs no change here. rdflib's JSON-LD
serializer compacts with it; `expand` of the result gives back the same triples.
"""

from __future__ import annotations

from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, Namespace
from rdflib.namespace import DCTERMS, SKOS

GL = Namespace("https://w3id.org/guideline-kg/ontology#")

# Terms for the properties the graph borrows from standard vocabularies.
_STANDARD_TERMS: dict[str, Any] = {
    "label": "rdfs:label",
    "comment": "rdfs:comment",
    "altLabel": "skos:altLabel",
    "broader": {"@id": "skos:broader", "@type": "@id"},
    "source": "dcterms:source",
    "subClassOf": {"@id": "rdfs:subClassOf", "@type": "@id"},
    "domain": {"@id": "rdfs:domain", "@type": "@id"},
    "range": {"@id": "rdfs:range", "@type": "@id"},
}
# Literal value types written as plain JSON values once the context declares them.
_PLAIN_TYPES = (XSD.date, XSD.integer, XSD.decimal, XSD.boolean, XSD.dateTime, XSD.anyURI)


def context(graph: Graph) -> dict[str, Any]:
    """The `@context` for `graph`: its prefixes, then one term per property."""
    ctx: dict[str, Any] = {"@vocab": str(GL), "id": "@id", "type": "@type"}
    for prefix, namespace in sorted(graph.namespaces()):
        if prefix and prefix not in ctx:
            ctx[prefix] = str(namespace)
    ctx.update(_STANDARD_TERMS)
    used = set(graph.predicates())
    for prop in sorted(p for p in used if str(p).startswith(str(GL))):
        name = str(prop)[len(str(GL)) :]
        kinds = set(graph.objects(prop, RDF.type))
        ranges = set(graph.objects(prop, RDFS.range))
        if OWL.ObjectProperty in kinds:
            # "@vocab": an enumeration member (gl:Chronic) by its name, a node by its compact IRI
            ctx[name] = {"@id": f"gl:{name}", "@type": "@vocab"}
        elif len(ranges) == 1 and (rng := next(iter(ranges))) in _PLAIN_TYPES:
            ctx[name] = {"@id": f"gl:{name}", "@type": graph.namespace_manager.normalizeUri(rng)}
    for standard in (RDFS.label, SKOS.altLabel, DCTERMS.source):
        if standard not in used:
            ctx.pop(graph.namespace_manager.normalizeUri(standard).split(":")[1], None)
    return ctx


def to_jsonld(graph: Graph) -> str:
    """The graph serialized as compact JSON-LD with `context(graph)`."""
    return graph.serialize(format="json-ld", context=context(graph), indent=2)
