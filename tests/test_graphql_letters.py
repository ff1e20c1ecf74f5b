"""parseLetter and auditLetter: the API's reading of the synthetic letters is kg's reading field for
field, the audit's findings are kg.audit's, unreadable text is an UnreadableLetter (data, not an
error), and the letter's text never reaches a log."""

from __future__ import annotations

import logging
import re
import warnings
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLUnionType

from graphql_api.app import create_app
from graphql_api.context import Context
from graphql_api.schema import schema
from graphql_api.settings import Settings
from kg.audit import audit, letter_date
from kg.index import GuidelineIndex
from kg.letters import read_letter

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

LETTERS = Path(__file__).resolve().parent / "data" / "letters"
MINI = Path(__file__).resolve().parent / "data" / "graph"
TODAY = date(2026, 1, 1)
LOADED = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

CITATION = "text mtus guideline topic pages edition chapter sections"
READING = f"""
  dwcCaseNumber
  letterDates {{ dateAssigned decisionDate urDenialDate }}
  case {{ age sex dateOfInjury diagnoses }}
  items {{
    heading service quantity quantityUnit decision medicallyNecessary rationaleText
    claimsAdministratorCitations {{ {CITATION} }}
    reviewerCitations {{ {CITATION} }}
    partialCertification {{ originalRequest authorizedByClaimsAdministrator imrEligiblePortion note }}
  }}
"""
PARSE = f"""query($text: String!) {{ parseLetter(text: $text) {{ __typename
  ... on LetterReading {{ {READING} }}
  ... on UnreadableLetter {{ kind message }} }} }}"""
AUDIT = f"""query($text: String!, $date: Date) {{ auditLetter(text: $text, date: $date) {{ __typename
  ... on LetterAudit {{ auditedOn reading {{ {READING} }} findings {{ item kind severity message evidence }} }}
  ... on UnreadableLetter {{ kind message }} }} }}"""


def run(index: GuidelineIndex, query: str, **variables: Any) -> dict[str, Any]:
    result = schema.execute_sync(
        query, variable_values=variables, context_value=Context(index, TODAY, LOADED)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def letter(name: str) -> str:
    return (LETTERS / name).read_text(encoding="utf-8")


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def as_api(value: Any) -> Any:
    """kg's reading (`Determination.to_json()`) in the API's spelling: camelCase keys."""
    if isinstance(value, dict):
        return {camel(k): as_api(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_api(v) for v in value]
    return value


def normalised(answer: dict[str, Any]) -> dict[str, Any]:
    """The API's answer with kg's omissions: no null letterDates/dwcCaseNumber, no null optional
    item keys."""
    out = {
        k: v
        for k, v in answer.items()
        if k != "__typename" and not (k in ("dwcCaseNumber", "letterDates") and v is None)
    }
    items = []
    for item in out["items"]:
        item = dict(item)
        for key in ("quantityUnit", "partialCertification"):
            if item[key] is None:
                del item[key]
        if item.get("partialCertification") and item["partialCertification"]["note"] is None:
            item["partialCertification"] = {
                k: v for k, v in item["partialCertification"].items() if k != "note"
            }
        items.append(item)
    out["items"] = items
    return out


def test_the_letter_fields_answer_unions() -> None:
    query = schema._schema.query_type
    assert query is not None and {"parseLetter", "auditLetter"} <= set(query.fields)
    for name, members in (
        ("LetterResult", {"LetterReading", "UnreadableLetter"}),
        ("AuditResult", {"LetterAudit", "UnreadableLetter"}),
    ):
        union = schema._schema.type_map[name]
        assert isinstance(union, GraphQLUnionType) and {t.name for t in union.types} == members
    assert set(query.fields["auditLetter"].args) == {"text", "date"}


@pytest.mark.parametrize("name", sorted(p.name for p in LETTERS.glob("*.txt")))
def test_parse_letter_is_kgs_reading_field_for_field(mini_index: GuidelineIndex, name: str) -> None:
    answer = run(mini_index, PARSE, text=letter(name))["parseLetter"]
    assert answer["__typename"] == "LetterReading"
    assert normalised(answer) == as_api(read_letter(letter(name)).to_json())


def test_parse_letter_reads_the_2016_letter(mini_index: GuidelineIndex) -> None:
    answer = run(mini_index, PARSE, text=letter("synthetic-2016-sections.txt"))["parseLetter"]
    assert answer["dwcCaseNumber"] == "CM17-0999001"
    assert answer["letterDates"] == {
        "dateAssigned": "2017-01-09",
        "decisionDate": "2017-02-03",
        "urDenialDate": "2016-12-28",
    }
    assert answer["case"] == {
        "age": 47,
        "sex": "female",
        "dateOfInjury": "2016-09-14",
        "diagnoses": ["lumbar sprain", "right wrist tendinitis", "cervical strain"],
    }
    pt = answer["items"][0]
    assert (pt["decision"], pt["medicallyNecessary"], pt["quantity"]) == ("Upheld", False, 8)
    assert pt["reviewerCitations"] == [
        {
            "text": "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Physical medicine treatment.",
            "mtus": True,
            "guideline": "MTUS CPMTG",
            "topic": "Chronic Pain Medical Treatment",
            "pages": None,
            "edition": "2016",
            "chapter": None,
            "sections": "Physical medicine treatment",
        }
    ]
    assert len(pt["claimsAdministratorCitations"]) == 4
    assert any(i["partialCertification"] for i in answer["items"])


def test_an_abridged_letter_has_no_header(mini_index: GuidelineIndex) -> None:
    answer = run(mini_index, PARSE, text=letter("synthetic-2014-pages.txt"))["parseLetter"]
    assert answer["dwcCaseNumber"] is None and answer["letterDates"] is None
    assert [i["decision"] for i in answer["items"]] == ["Upheld", "Overturned"]
    assert answer["items"][1]["reviewerCitations"][0]["pages"] == "209"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("Dear claimant, SECRET-LETTER-TEXT-7f3 is not a determination.", "not_a_letter"),
    ],
)
def test_unreadable_text_is_data_that_never_quotes_it(
    mini_index: GuidelineIndex, text: str, kind: str
) -> None:
    for query, field in ((PARSE, "parseLetter"), (AUDIT, "auditLetter")):
        answer = run(mini_index, query, text=text)[field]
        assert answer["__typename"] == "UnreadableLetter"
        assert answer["kind"] == kind and answer["message"]
        assert "SECRET" not in answer["message"]


@pytest.mark.parametrize("name", sorted(p.name for p in LETTERS.glob("*.txt")))
def test_audit_letter_gives_kgs_findings_on_the_shipped_graph(
    index: GuidelineIndex, name: str
) -> None:
    answer = run(index, AUDIT, text=letter(name))["auditLetter"]
    assert answer["__typename"] == "LetterAudit"
    determination = read_letter(letter(name))
    assert answer["findings"] == [f.to_json() for f in audit(determination, index)]
    assert answer["auditedOn"] == letter_date(determination).isoformat()
    assert len(answer["reading"]["items"]) == len(determination.items)


def test_the_audit_finds_the_mislabelled_acoem_citation(index: GuidelineIndex) -> None:
    answer = run(index, AUDIT, text=letter("synthetic-2014-pages.txt"))["auditLetter"]
    assert answer["auditedOn"] == "2013-07-01"  # no header: not before IMR began
    kinds = {(f["item"], f["kind"], f["severity"]) for f in answer["findings"]}
    assert (2, "mtus_label", "error") in kinds
    mislabel = next(f for f in answer["findings"] if f["kind"] == "mtus_label")
    assert "Chapter 9 page 209" in mislabel["evidence"]


def test_audit_letter_takes_the_date_given(index: GuidelineIndex) -> None:
    text = letter("synthetic-2014-pages.txt")
    answer = run(index, AUDIT, text=text, date="2018-03-01")["auditLetter"]
    assert answer["auditedOn"] == "2018-03-01"
    determination = read_letter(text)
    assert answer["findings"] == [
        f.to_json() for f in audit(determination, index, date(2018, 3, 1))
    ]


def test_letter_text_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    marker = "MARKER-9b2e-LETTER-PHI"
    text = letter("synthetic-2016-sections.txt").replace(
        "The synthetic guideline allows", f"{marker} The synthetic guideline allows"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with (
            caplog.at_level(logging.DEBUG),
            TestClient(create_app(Settings(data_dir=MINI))) as client,
        ):
            for query in (PARSE, AUDIT):
                response = client.post(
                    "/graphql", json={"query": query, "variables": {"text": text}}
                )
                assert response.status_code == 200 and "errors" not in response.json()
                assert marker in response.text  # the reading carries it back to the caller ...
            bad = client.post(
                "/graphql", json={"query": PARSE, "variables": {"text": f"{marker} not a letter"}}
            )
            assert bad.json()["data"]["parseLetter"]["__typename"] == "UnreadableLetter"
    assert caplog.records  # the access log ran ...
    assert not [
        r for r in caplog.records if marker in r.getMessage()
    ]  # ... and never logged the text
    assert not re.search(marker, caplog.text)


def test_a_letter_dated_before_the_first_mtus_is_audited_not_an_error(
    mini_index: GuidelineIndex,
) -> None:
    # Before the fix this answered `data: null` with an error, as the resolver refuses such dates.
    answer = run(mini_index, AUDIT, text=letter("synthetic-2005-before-mtus.txt"))["auditLetter"]
    assert answer["__typename"] == "LetterAudit"
    assert answer["auditedOn"] == "2005-02-22"
    first = answer["findings"][0]
    assert (first["item"], first["kind"], first["severity"]) == (0, "no_mtus_in_force", "error")
    assert len(answer["reading"]["items"]) == 2


def test_a_date_given_before_the_first_mtus_is_audited_not_an_error(
    mini_index: GuidelineIndex,
) -> None:
    answer = run(mini_index, AUDIT, text=letter("synthetic-2016-sections.txt"), date="2003-01-01")[
        "auditLetter"
    ]
    assert answer["__typename"] == "LetterAudit" and answer["auditedOn"] == "2003-01-01"
    assert [f["kind"] for f in answer["findings"] if f["item"] == 0] == ["no_mtus_in_force"]
