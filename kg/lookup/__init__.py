"""Lookups over the index for browsing clients: search, pages, sections by filter, documents on a
date, formulary status, a side-by-side comparison and a node's neighbourhood.

Pure functions over a GuidelineIndex, like the resolver: no I/O, no clock (dates are passed in).
They return ids and small values; the GraphQL layer maps them to its types. One module per
question; this package's namespace is what clients use (`from kg import lookup`).
"""

from __future__ import annotations

from kg.lookup.compare import COMPARED, Comparison, Guidance, compare
from kg.lookup.formulary import DrugNotFound, FormularyFound, FormularyNotKnown, formulary_status
from kg.lookup.neighbourhood import MAX_NEIGHBOURS, Edge, Neighbourhood, Node, neighbourhood
from kg.lookup.pages import MAX_PAGE, Page, cursor_of, offset_of, page
from kg.lookup.search import (
    find_condition,
    icd10_key,
    rank_names,
    search_conditions,
    search_treatments,
)
from kg.lookup.sections import (
    SectionFilter,
    document_order,
    documents_as_of,
    filter_sections,
    guideline_labels,
    mtus_label,
    narrower_conditions,
    narrower_treatments,
    sections_of_condition,
)

__all__ = [
    "COMPARED",
    "MAX_NEIGHBOURS",
    "MAX_PAGE",
    "Comparison",
    "DrugNotFound",
    "Edge",
    "FormularyFound",
    "FormularyNotKnown",
    "Guidance",
    "Neighbourhood",
    "Node",
    "Page",
    "SectionFilter",
    "compare",
    "cursor_of",
    "document_order",
    "documents_as_of",
    "filter_sections",
    "find_condition",
    "formulary_status",
    "guideline_labels",
    "icd10_key",
    "mtus_label",
    "narrower_conditions",
    "narrower_treatments",
    "neighbourhood",
    "offset_of",
    "page",
    "rank_names",
    "search_conditions",
    "search_treatments",
    "sections_of_condition",
]
