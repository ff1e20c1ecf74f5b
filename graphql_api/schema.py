"""The Query root. Each resolver is a few lines: call `kg`, map the answer (STYLE.md G1).

`python -m graphql_api.schema` prints the SDL checked in as graphql_api/schema.graphql.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from graphql_api.context import Info
from graphql_api.inputs import ResolveInput, SectionFilterInput
from graphql_api.letters import AuditResult, LetterResult, audit_letter, parse_letter
from graphql_api.pagination import Connection
from graphql_api.results import (
    Comparison,
    FormularyStatusResult,
    GraphInfo,
    InvalidInput,
    Neighbourhood,
    ResolveResult,
    ResolveSuccess,
    formulary_result,
)
from graphql_api.types import Condition, GuidelineDocument, GuidelineSection, Treatment
from kg import lookup
from kg.errors import InputError

SDL_PATH = Path(__file__).with_name("schema.graphql")
fault_log = logging.getLogger("guideline_kg.faults")

Search = Annotated[
    str | None, strawberry.argument(description="Words to look for; empty lists everything.")
]
First = Annotated[int, strawberry.argument(description="How many results per page (at most 100).")]
After = Annotated[
    str | None, strawberry.argument(description="The `endCursor` of the previous page.")
]


@strawberry.type(description="Questions a claims reviewer can ask of the guideline graph.")
class Query:
    @strawberry.field(
        description="Which guideline governs each disputed service on the request date, how to "
        "cite "
        "it, and whether the facts meet its criteria. One answer per service, in order."
    )
    def resolve(
        self,
        info: Info,
        input: Annotated[
            ResolveInput,
            strawberry.argument(
                description="The services, diagnoses, date and facts of the request."
            ),
        ],
    ) -> ResolveResult:
        try:
            request = input.to_request(info.context.today, info.context.max_services)
        except InputError as exc:
            return InvalidInput(message=str(exc), field=exc.field)
        answers = info.context.resolver.resolve(request)
        return ResolveSuccess.from_domain(answers, request.date, info.context.index)

    @strawberry.field(
        description="A treatment by id, e.g. `tx:cyclobenzaprine` (null when not in the graph)."
    )
    def treatment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The treatment's id.")],
    ) -> Treatment | None:
        found = info.context.index.treatments.get(id)
        return Treatment.from_domain(found) if found else None

    @strawberry.field(
        description="Treatments by name, synonym or brand name, best match first "
        '("flexeril" finds cyclobenzaprine).'
    )
    def treatments(
        self, info: Info, search: Search = None, first: First = 20, after: After = None
    ) -> Connection[Treatment]:
        ids = lookup.search_treatments(info.context.index, search)
        return _connection(
            ids, first, after, lambda i: Treatment.from_domain(info.context.index.treatments[i])
        )

    @strawberry.field(
        description="A diagnosis by ICD-10-CM code (M54.5 or M545), ICD-9 code or id "
        "(null when not in the graph)."
    )
    def condition(
        self,
        info: Info,
        code: Annotated[
            str, strawberry.argument(description="An ICD-10-CM or ICD-9 code, or a condition id.")
        ],
    ) -> Condition | None:
        found = lookup.find_condition(info.context.index, code)
        return Condition.from_domain(info.context.index.conditions[found]) if found else None

    @strawberry.field(
        description="Diagnoses by code (exact, then code prefix) or by name, best match first."
    )
    def conditions(
        self, info: Info, search: Search = None, first: First = 20, after: After = None
    ) -> Connection[Condition]:
        ids = lookup.search_conditions(info.context.index, search)
        return _connection(
            ids, first, after, lambda i: Condition.from_domain(info.context.index.conditions[i])
        )

    @strawberry.field(description="A guideline section by id (null when not in the graph).")
    def section(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The section's id.")],
    ) -> GuidelineSection | None:
        found = info.context.index.sections.get(id)
        return GuidelineSection.from_domain(found) if found else None

    @strawberry.field(
        description="Guideline sections, filtered by guideline, document, treatment, diagnosis, "
        "date or title words."
    )
    def sections(
        self,
        info: Info,
        filter: Annotated[
            SectionFilterInput | None,
            strawberry.argument(description="Which sections to list (all when left out)."),
        ] = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[GuidelineSection]:
        ids = lookup.filter_sections(
            info.context.index, filter.to_domain() if filter else lookup.SectionFilter()
        )
        return _connection(
            ids,
            first,
            after,
            lambda i: GuidelineSection.from_domain(info.context.index.sections[i]),
        )

    @strawberry.field(
        description="Guideline documents, with their MTUS status on the date; with `asOf`, only "
        "those a reviewer could use on that date."
    )
    def documents(
        self,
        info: Info,
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="The date of interest (leave out for every document, MTUS status as "
                "of today)."
            ),
        ] = None,
    ) -> list[GuidelineDocument]:
        index = info.context.index
        ids = lookup.documents_as_of(index, as_of)
        return [GuidelineDocument.from_domain(index.documents[i], as_of) for i in ids]

    @strawberry.field(
        description="MTUS, ACOEM and ODG guidance on one treatment on a date, side by side, with "
        "which one governs and why."
    )
    def compare(
        self,
        info: Info,
        treatment: Annotated[strawberry.ID, strawberry.argument(description="The treatment's id.")],
        as_of: Annotated[date, strawberry.argument(description="The date of the request.")],
        condition: Annotated[
            str | None,
            strawberry.argument(
                description="A diagnosis (code or words) to narrow the comparison."
            ),
        ] = None,
    ) -> Comparison:
        answer = lookup.compare(
            info.context.index,
            treatment,
            condition,
            as_of,
            today=info.context.today,
            steps=info.context.resolver.steps,
        )
        return Comparison.from_domain(answer)

    @strawberry.field(
        description="A drug's MTUS Drug List status on a date, only as the graph records it."
    )
    def formulary_status(
        self,
        info: Info,
        drug: Annotated[strawberry.ID, strawberry.argument(description="The drug's id.")],
        as_of: Annotated[date, strawberry.argument(description="The date of dispensing.")],
    ) -> FormularyStatusResult:
        answer = lookup.formulary_status(info.context.index, drug, as_of)
        return formulary_result(answer, info.context.index)

    @strawberry.field(
        description="The graph around a treatment, section or condition, small enough to draw "
        "(null when the id is not a treatment, section or condition)."
    )
    def neighbourhood(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The id of a treatment, section or condition."),
        ],
    ) -> Neighbourhood | None:
        found = lookup.neighbourhood(info.context.index, id)
        return Neighbourhood.from_domain(found) if found else None

    @strawberry.field(
        description="Read a determination letter (IMR Final Determination, 2013-17 layouts): its "
        "case, header dates, disputed items, decisions and citations. The text is never logged."
    )
    def parse_letter(
        self,
        text: Annotated[
            str,
            strawberry.argument(
                description="The letter's text, as pasted or extracted from its PDF."
            ),
        ],
    ) -> LetterResult:
        return parse_letter(text)

    @strawberry.field(
        description="Read a determination letter and audit it against the graph: MTUS labels, "
        "superseded editions, the search sequence, pages, body regions and rationales."
    )
    def audit_letter(
        self,
        info: Info,
        text: Annotated[
            str,
            strawberry.argument(
                description="The letter's text, as pasted or extracted from its PDF."
            ),
        ],
        date: Annotated[
            date | None,
            strawberry.argument(
                description="The date to judge the letter on (leave out to take the UR denial, "
                "assigned or "
                "decision date of its header)."
            ),
        ] = None,
    ) -> AuditResult:
        return audit_letter(text, date, info.context.index, info.context.resolver)

    @strawberry.field(
        description="Which graph this server answers from, how much it holds, and since when."
    )
    def graph_info(self, info: Info) -> GraphInfo:
        return GraphInfo.of(info.context.index, info.context.loaded_at)


def _connection(
    ids: Sequence[str], first: int, after: str | None, make: Callable[[str], Any]
) -> Connection[Any]:
    return Connection.of(lookup.page(ids, first, after), make)


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log faults only, and without request content: no message (it may quote a variable), no
        query text; the exception's class, the field path and the stack. A client's own mistakes
        (syntax, validation, limits, variables, a bad cursor) are answered in `errors` and not
        logged."""
        for error in errors:
            original = error.original_error
            if isinstance(
                original, InputError
            ):  # say so to the client, as Apollo's convention does
                error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
            if (
                original is None
                or not error.path
                or isinstance(original, InputError | GraphQLError)
            ):
                continue  # before execution (syntax, validation, variables), or a client's input
            stack = "".join(traceback.format_tb(original.__traceback__))
            fault_log.error(
                "fault %s at %s\n%s",
                type(original).__name__,
                ".".join(map(str, error.path or ())),
                stack,
            )


def make_schema(extensions: Sequence[Any] = ()) -> Schema:
    """The schema, on strawberry's own execution; the executor stops a query whose time budget is
    spent."""
    from graphql_api.limits import BudgetedExecutionContext

    return Schema(
        query=Query, extensions=list(extensions), execution_context_class=BudgetedExecutionContext
    )


schema = make_schema()

if __name__ == "__main__":
    print(schema.as_str())
