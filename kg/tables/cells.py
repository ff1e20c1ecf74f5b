"""One cell to RDF terms (and back, for the migration and for reading the compiled graph)."""

from __future__ import annotations

import re
from datetime import date
from decimal import InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.namespaces import PREFIXES, curie
from kg.tables.schema import CONFIDENCE_MARKS, SEPARATOR, VERIFIED, Column

Term = URIRef | Literal

_LOCAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
_INT = re.compile(r"^-?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]+\.[0-9]+$")


class CellError(ValueError):
    """A cell that does not read as its column's kind; the message says why."""


def values(cell: str, column: Column) -> list[str]:
    """The values of a cell: none when empty, several in a `many` column."""
    if not cell:
        return []
    return [v.strip() for v in cell.split(SEPARATOR.strip())] if column.many else [cell]


def to_terms(cell: str, column: Column) -> list[Term]:
    """The RDF objects a cell stands for; CellError when a value does not read."""
    out = []
    for value in values(cell, column):
        if not value:
            raise CellError(f"{column.name}: an empty value between separators")
        if column.name == "confidence" and value == VERIFIED:
            continue
        out.append(to_term(value, column))
    if len(out) != len(set(out)):
        raise CellError(f"{column.name}: a value is repeated")
    return out


def to_term(value: str, column: Column) -> Term:
    kind = column.kind
    if kind == "ref":
        return ref(value, column)
    if kind == "text":
        return Literal(value)
    if kind == "int":
        if not _INT.match(value):
            raise CellError(f"{column.name}: {value!r} is not a whole number")
        return Literal(int(value))
    if kind == "number":
        return _number(value, column)
    if kind == "date":
        return _date(value, column)
    if kind == "bool":
        if value not in ("true", "false"):
            raise CellError(f"{column.name}: {value!r} is neither true nor false")
        return Literal(value == "true")
    raise CellError(f"{column.name}: unknown column kind {kind}")  # a bug in schema.py


def ref(value: str, column: Column) -> URIRef:
    """``Chronic`` (the column's default prefix) or a CURIE ``cond:M54.16`` to an IRI."""
    prefix, sep, local = value.partition(":")
    if not sep:
        prefix, local = column.prefix, value
    if prefix not in PREFIXES:
        raise CellError(f"{column.name}: unknown prefix {prefix!r} in {value!r}")
    if not _LOCAL.match(local):
        raise CellError(f"{column.name}: {value!r} is not an id (letters, digits, '.', '_', '-')")
    if column.name == "confidence" and local not in CONFIDENCE_MARKS:
        marks = ", ".join((*CONFIDENCE_MARKS, VERIFIED))
        raise CellError(f"confidence: {value!r} is not one of {marks}")
    return URIRef(PREFIXES[prefix] + local)


def _number(value: str, column: Column) -> Literal:
    if _INT.match(value):
        return Literal(int(value))
    if not _DECIMAL.match(value):
        raise CellError(f"{column.name}: {value!r} is not a number (8, 2.5)")
    try:
        return Literal(value, datatype=XSD.decimal)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise CellError(f"{column.name}: {value!r} is not a number") from None


def _date(value: str, column: Column) -> Literal:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise CellError(f"{column.name}: {value!r} is not a date (YYYY-MM-DD)") from None
    if len(value) != 10:
        raise CellError(f"{column.name}: {value!r} is not a date (YYYY-MM-DD)")
    return Literal(value, datatype=XSD.date)


# ---------------------------------------------------------------- back: terms to a cell


def to_cell(terms: list[Term], column: Column) -> str:
    """The cell that compiles to these objects (used by the migration from Turtle)."""
    if column.name == "confidence" and not terms:
        return VERIFIED
    return SEPARATOR.join(_value(term, column) for term in terms)


def _value(term: Term, column: Column) -> str:
    if isinstance(term, URIRef):
        short = curie(str(term))
        prefix, _, local = short.partition(":")
        return local if prefix == column.prefix else short
    if term.datatype == XSD.boolean:
        return "true" if term.toPython() else "false"
    return str(term)
