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
    ontology.parse(data="@prefix gl: <https://w3id.org/guideline-kg/ontology#> . gl:Perioperative a gl:Phase .",
                   format="turtle")
    assert vocab.mismatches(ontology) == ["gl:Perioperative (a gl:Phase) has no member in kg.vocab.Phase"]
