"""The schema as an artefact under review (STYLE.md G10): the checked-in SDL, descriptions
everywhere, inputs that mirror kg's request values, and the one-way dependency kg <- graphql_api."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
)

from graphql_api.inputs import ClinicalFactsInput
from graphql_api.schema import SDL_PATH, schema
from kg.resolve import Facts


def test_the_checked_in_sdl_is_the_schema() -> None:
    """Regenerate with: .venv/bin/python -m graphql_api.schema > graphql_api/schema.graphql"""
    assert SDL_PATH.read_text(encoding="utf-8") == schema.as_str() + "\n"


def _undescribed() -> list[str]:
    missing = []
    for name, t in schema._schema.type_map.items():
        if name.startswith("__"):
            continue
        if not t.description:
            missing.append(name)
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, f in t.fields.items():
                if not f.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(f, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(t, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in t.values.items() if not value.description]
    return missing


def test_every_type_field_argument_and_enum_value_has_a_description() -> None:
    assert _undescribed() == []


def test_the_schema_has_the_contracted_operations() -> None:
    query = schema._schema.query_type
    assert query is not None
    assert {
        "resolve",
        "treatment",
        "treatments",
        "condition",
        "conditions",
        "section",
        "sections",
        "documents",
        "compare",
        "formularyStatus",
        "neighbourhood",
        "graphInfo",
    } <= set(query.fields)
    result = schema._schema.type_map["ResolveResult"]
    assert isinstance(result, GraphQLUnionType)
    assert {t.name for t in result.types} == {"ResolveSuccess", "InvalidInput"}


def test_clinical_facts_input_mirrors_the_resolvers_facts() -> None:
    assert [f.name for f in fields(ClinicalFactsInput)] == [f.name for f in fields(Facts) if f.init]


def test_kg_never_imports_the_web_layer() -> None:
    code = (
        "import sys, kg, kg.lookup, kg.resolve, kg.letters, kg.audit, kg.tables, kg.validate; "
        "print([m for m in sys.modules if m.split('.')[0] in ('strawberry', 'starlette', 'graphql_api', "
        "'uvicorn', 'graphql')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
