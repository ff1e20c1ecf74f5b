"""The closed vocabularies the code names (kg.vocab) are the ontology's, member for individual."""

from __future__ import annotations

from rdflib import Graph

from kg import vocab
from kg.load import ONTOLOGY_DIR


def test_every_enum_is_its_ontology_class() -> None:
    ontology = Graph().parse(ONTOLOGY_DIR / "guideline.ttl")
    assert vocab.mismatches(ontology) == []


def test_a_vocabulary_grown_on_one_side_is_reported() -> None:
    ontology = Graph().parse(ONTOLOGY_DIR / "guideline.ttl")
    ontology.parse(
        data="@prefix gl: <https://w3id.org/guideline-kg/ontology#> . gl:Perioperative a gl:Phase .",
        format="turtle",
    )
    assert vocab.mismatches(ontology) == [
        "gl:Perioperative (a gl:Phase) has no member in kg.vocab.Phase"
    ]


def test_the_clinical_facts_are_the_ontologys() -> None:
    """kg's Facts is the one definition of the facts a client may give; the ontology names the same
    keys with the same types (the GraphQL input is made from Facts)."""
    from dataclasses import fields

    from rdflib import Namespace

    from kg.resolve import Facts

    gl = Namespace(vocab.GL)
    ontology = Graph().parse(ONTOLOGY_DIR / "guideline.ttl")
    declared = {
        str(ontology.value(s, gl.factKey)): str(ontology.value(s, gl.factType))
        for s in ontology.subjects(predicate=gl.factKey)
    }
    types = {
        "str | None": "string",
        "date | None": "date",
        "int | None": "integer",
        "bool | None": "boolean",
    }
    assert declared == {f.name: types[str(f.type)] for f in fields(Facts)}
