"""The drug parts of an answer through the public interfaces: the MTUS Drug List standing on the
request date (kg API, CLI, GraphQL), the daily MME read from requests as reviewers write them
(table-driven), the dose thresholds judged on it, and the audit of a letter that misstates the
list."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from graphql_api.context import Context
from graphql_api.schema import schema
from guideline_kg.cli import main
from kg import build_from_files
from kg.audit import audit
from kg.index import GuidelineIndex
from kg.letters import read_letter
from kg.mme import read_dose
from kg.resolve import ResolveRequest, ServiceResolution, resolve
from tests.conftest import DATA, MINI_GRAPH

TODAY = date(2026, 1, 1)


def answer(
    index: GuidelineIndex, service: str, on: str, facts: dict[str, Any] | None = None
) -> ServiceResolution:
    request = ResolveRequest.parse(
        on=on, services=[service], diagnoses=["low back pain"], facts=facts, today=TODAY
    )
    return resolve(request, index)[0]


# --- the Drug List standing on the date, across list versions (shipped graph) ---------------


@pytest.mark.parametrize(
    ("service", "on", "standing", "version"),
    [
        # no formulary before 2018-01-01, whatever the drug
        ("Norco 10/325 #60", "2017-12-31", "NO_FORMULARY", None),
        ("Lidoderm 5% patch #30", "2017-06-01", "NO_FORMULARY", None),
        # opioids: Non-Exempt from the first list
        ("Norco 10/325 #60", "2018-01-01", "NON_EXEMPT", "1"),
        ("Percocet 5/325 #60", "2018-07-01", "NON_EXEMPT", "2"),
        ("oxycodone ER 20mg #60", "2021-03-01", "NON_EXEMPT", "8"),  # the entry for oxycodone
        # lidocaine 5% patch: Non-Exempt on v9, Exempt from v10 (2022-11-01)
        ("Lidoderm 5% patch #30", "2022-10-31", "NON_EXEMPT", "9"),
        ("Lidoderm 5% patch #30", "2022-11-01", "EXEMPT", "10"),
        ("lidocaine patch 5%", "2025-09-01", "EXEMPT", "13"),
        # before v9 only an unverified entry: not known, said plainly
        ("Lidoderm 5% patch #30", "2019-05-01", "NOT_KNOWN", "3"),
        # antidepressants made Exempt by v7 (2020-11-01); nothing verified before
        ("trazodone 50mg #30", "2020-10-31", "NOT_KNOWN", "6"),
        ("trazodone 50mg #30", "2020-11-01", "EXEMPT", "7"),
        ("Cymbalta 60mg #30", "2021-01-15", "EXEMPT", "7"),
        # no entry at all: not known
        ("cyclobenzaprine 10mg #30", "2020-02-01", "NOT_KNOWN", "6"),
        ("ondansetron 4mg #10", "2023-03-01", "NOT_KNOWN", "10"),
        # recorded only from recollection (U): not shown as fact
        ("ibuprofen 800mg #90", "2019-01-01", "NOT_KNOWN", "3"),
        # a compound written out: prospective review whatever its ingredients (9792.27.9)
        ("Flurbiprofen 20%, Lidocaine 5% cream", "2019-01-01", "COMPOUNDED", "3"),
    ],
)
def test_drug_list_standing_on_the_request_date(
    index: GuidelineIndex, service: str, on: str, standing: str, version: str | None
) -> None:
    found = answer(index, service, on).drug_list
    assert found is not None
    assert (found.standing.value, found.list_version) == (standing, version), found.text


def test_an_unknown_status_is_said_plainly_with_what_an_unverified_entry_records(
    index: GuidelineIndex,
) -> None:
    unverified = answer(index, "Lidoderm 5% patch", "2019-05-01").drug_list
    assert unverified is not None
    assert "not verified" in unverified.text and "Check the DWC list" in unverified.text
    assert (unverified.recorded_status, unverified.confidence) == ("NonExempt", "U")
    assert unverified.prospective_review is None
    missing = answer(index, "cyclobenzaprine 10mg", "2020-02-01").drug_list
    assert missing is not None and "not known" in missing.text
    assert missing.recorded_status is None and missing.sources == ()


def test_a_verified_standing_carries_its_source_rule_and_fills(index: GuidelineIndex) -> None:
    found = answer(index, "Norco 10/325 #60", "2019-06-01").drug_list
    assert found is not None
    assert found.special_fill_days == 4 and found.prospective_review is True
    assert found.confidence == "V1" and found.sources
    assert "9792.27.10" in found.text and "Special Fill" in found.text
    assert "a later version the graph does not date may apply" in found.text  # v4/v5 undated


def test_services_that_are_not_drugs_have_no_drug_list_answer(index: GuidelineIndex) -> None:
    result = answer(index, "Physical therapy x6", "2019-06-01")
    assert result.drug_list is None and result.dose is None


# --- every common drug, on a 2019 and a 2023 date (issue 16 part 2) --------------------------
# A status is shown as fact only from a sourced entry (V1 or V2+); every other common drug says
# plainly that its status is not known or not verified. Which drugs are verified is the table's
# content (kg/data/tables/formulary.tsv); eval/drug_list_coverage.py counts them.

COMMON_DRUG_CASES = [
    # service, drug, date, standing, confidence, what an unverified entry records
    ("Norco 10/325 #60", "hydrocodone-acetaminophen", "2019-06-01", "NON_EXEMPT", "V1", None),
    ("Norco 10/325 #60", "hydrocodone-acetaminophen", "2023-06-01", "NON_EXEMPT", "V1", None),
    ("Ultram 50mg #60", "tramadol", "2019-06-01", "NON_EXEMPT", "V2+", None),
    ("Nucynta 50mg", "tapentadol", "2023-06-01", "NON_EXEMPT", "V2+", None),
    ("gabapentin 600mg #90", "gabapentin", "2019-06-01", "NON_EXEMPT", "V1", None),
    ("Lyrica 75mg #60", "pregabalin", "2023-06-01", "NON_EXEMPT", "V1", None),
    # Exempt from v7 (2020-11-01) or v10 (2022-11-01): verified in 2023, not known in 2019
    ("Cymbalta 60mg", "duloxetine", "2019-06-01", "NOT_KNOWN", None, None),
    ("Cymbalta 60mg", "duloxetine", "2023-06-01", "EXEMPT", "V1", None),
    ("trazodone 50mg", "trazodone", "2023-06-01", "EXEMPT", "V1", None),
    ("Lidoderm 5% patch #30", "lidocaine-patch", "2019-06-01", "NOT_KNOWN", "U", "NonExempt"),
    ("Lidoderm 5% patch #30", "lidocaine-patch", "2023-06-01", "EXEMPT", "V1", None),
    ("Effexor XR 75mg", "venlafaxine", "2023-06-01", "NOT_KNOWN", "U", "Exempt"),
    # recorded from recollection only (U): never shown as the status
    ("Soma 350mg #30", "carisoprodol", "2019-06-01", "NOT_KNOWN", "U", "NonExempt"),
    ("meloxicam 15mg #30", "meloxicam", "2023-06-01", "NOT_KNOWN", "U", "Exempt"),
    ("celecoxib 200mg #30", "celecoxib", "2019-06-01", "NOT_KNOWN", "U", "Exempt"),
    ("omeprazole 20mg #30", "omeprazole", "2023-06-01", "NOT_KNOWN", "U", "Exempt"),
    ("Ambien 10mg #30", "zolpidem", "2019-06-01", "NOT_KNOWN", "U", "NonExempt"),
    ("Xanax 0.5mg #30", "alprazolam", "2023-06-01", "NOT_KNOWN", "U", "NonExempt"),
    # no entry: no public source found for the drug's status
    ("cyclobenzaprine 10mg #30", "cyclobenzaprine", "2019-06-01", "NOT_KNOWN", None, None),
    ("cyclobenzaprine 10mg #30", "cyclobenzaprine", "2023-06-01", "NOT_KNOWN", None, None),
    ("tizanidine 4mg #60", "tizanidine", "2019-06-01", "NOT_KNOWN", None, None),
    ("methocarbamol 750mg #60", "methocarbamol", "2023-06-01", "NOT_KNOWN", None, None),
    ("baclofen 10mg #60", "baclofen", "2019-06-01", "NOT_KNOWN", None, None),
    ("orphenadrine ER 100mg #60", "orphenadrine", "2023-06-01", "NOT_KNOWN", None, None),
    ("topiramate 25mg #60", "topiramate", "2019-06-01", "NOT_KNOWN", None, None),
    ("eszopiclone 2mg #30", "eszopiclone", "2023-06-01", "NOT_KNOWN", None, None),
    ("ranitidine 150mg #60", "ranitidine", "2019-06-01", "NOT_KNOWN", None, None),
    ("ondansetron 4mg #10", "ondansetron", "2023-06-01", "NOT_KNOWN", None, None),
    ("promethazine 25mg #20", "promethazine", "2019-06-01", "NOT_KNOWN", None, None),
    ("docusate 100mg #60", "docusate", "2023-06-01", "NOT_KNOWN", None, None),
    ("senna 8.6mg", "sennosides", "2019-06-01", "NOT_KNOWN", None, None),
    ("Voltaren gel 1%", "diclofenac-topical", "2023-06-01", "NOT_KNOWN", None, None),
    ("capsaicin cream", "capsaicin-topical", "2019-06-01", "NOT_KNOWN", None, None),
]


@pytest.mark.parametrize(
    ("service", "drug", "on", "standing", "confidence", "recorded"), COMMON_DRUG_CASES
)
def test_a_common_drug_answers_its_status_with_a_source_or_says_it_is_not_known(
    index: GuidelineIndex,
    service: str,
    drug: str,
    on: str,
    standing: str,
    confidence: str | None,
    recorded: str | None,
) -> None:
    found = answer(index, service, on).drug_list
    assert found is not None
    assert (found.drug_id, found.standing.value) == (f"tx:{drug}", standing), found.text
    assert (found.confidence, found.recorded_status) == (confidence, recorded)
    assert found.list_version == ("3" if on.startswith("2019") else "10")
    if standing == "NOT_KNOWN":
        words = "not verified" if recorded else "not known"
        assert words in found.text and "Check the DWC list" in found.text
        assert found.prospective_review is None
        assert " is Exempt" not in found.text and " is Non-Exempt" not in found.text
    else:
        assert found.sources and found.confidence in ("V1", "V2+")
        assert f"MTUS Drug List v{found.list_version}" in found.text


def test_resolve_json_gives_each_common_drugs_status_and_source_by_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    services = ["Cymbalta 60mg", "Lidoderm 5% patch #30", "cyclobenzaprine 10mg #30", "Ultram 50mg"]
    by_date = {}
    for on in ("2019-06-01", "2023-06-01"):
        args = ["resolve", "--date", on, "--json"]
        assert main([*args, *(a for s in services for a in ("--service", s))]) == 0
        out = json.loads(capsys.readouterr().out)["services"]
        by_date[on] = [(s["drug_list"]["standing"], bool(s["drug_list"]["sources"])) for s in out]
    assert by_date == {
        "2019-06-01": [
            ("NOT_KNOWN", False),  # duloxetine: Exempt only from v7
            ("NOT_KNOWN", True),  # the patch: an unverified entry, its source shown beside it
            ("NOT_KNOWN", False),
            ("NON_EXEMPT", True),
        ],
        "2023-06-01": [
            ("EXEMPT", True),
            ("EXEMPT", True),
            ("NOT_KNOWN", False),
            ("NON_EXEMPT", True),
        ],
    }


@pytest.fixture(scope="module")
def drug_index(tmp_path_factory: pytest.TempPathFactory) -> GuidelineIndex:
    """The small test graph with an opioid section holding a daily-dose limit and a list version
    on which cyclobenzaprine is Unlisted."""
    folder = tmp_path_factory.mktemp("graph")
    shutil.copytree(MINI_GRAPH, folder, dirs_exist_ok=True)
    (folder / "drugs.ttl").write_text(
        (MINI_GRAPH / "mini.ttl").read_text(encoding="utf-8").split("\n\n")[0]
        + """

tx:opioids a gl:Treatment ; rdfs:label "opioids" ; gl:treatmentKind gl:DrugClass ;
    skos:broader tx:medications ; dcterms:source "test" .
tx:oxycodone a gl:Treatment ; rdfs:label "oxycodone" ; skos:altLabel "Roxicodone" ;
    gl:treatmentKind gl:Drug ; gl:route gl:Oral ; skos:broader tx:opioids ; dcterms:source "test" .
sec:pain-2016-opioid-dose a gl:GuidelineSection ; rdfs:label "Opioid dosing" ; gl:inDocument doc:pain-2016 ;
    gl:addresses tx:opioids ; gl:bodyRegion gl:Systemic ; gl:phase gl:Chronic ;
    gl:recommendation gl:RecommendedWithConditions ; gl:hasCriterion crit:opioid-80 ; dcterms:source "test" .
crit:opioid-80 a gl:Criterion ; gl:criterionKind gl:QuantityLimit ; gl:text "At most 80 mg MED a day." ;
    gl:maxUnits 80 ; gl:unit "MED" ; dcterms:source "test" .
form:v2 a gl:DrugListVersion ; rdfs:label "MTUS Drug List v2" ; gl:versionNumber "2" ;
    gl:effectiveFrom "2019-01-01"^^xsd:date ; dcterms:source "test" .
form:cyclobenzaprine-v2 a gl:FormularyEntry ; gl:drug tx:cyclobenzaprine ; gl:formularyStatus gl:Unlisted ;
    gl:listVersion form:v2 ; gl:effectiveFrom "2019-01-01"^^xsd:date ; dcterms:source "test source" ;
    gl:confidence gl:V1 .
""",
        encoding="utf-8",
    )
    return build_from_files(folder, check=True)


def test_an_unlisted_drug_needs_prospective_review(drug_index: GuidelineIndex) -> None:
    before = answer(drug_index, "Flexeril 10mg", "2018-06-01").drug_list
    after = answer(drug_index, "Flexeril 10mg", "2019-06-01").drug_list
    assert before is not None and before.standing.value == "NOT_KNOWN"  # a U entry
    assert after is not None and after.standing.value == "UNLISTED"
    assert after.prospective_review is True and after.sources == ("test source",)


@pytest.mark.parametrize(
    ("service", "facts", "status", "needs"),
    [
        ("oxycodone 10 mg q6h", {"other_opioid_mme": 0}, "MET", ()),  # 60 MME
        ("oxycodone 10 mg q6h", {"other_opioid_mme": 30}, "NOT_MET", ()),  # 60 + 30
        ("oxycodone 10 mg q6h", {}, "INSUFFICIENT_INFORMATION", ("other_opioid_mme",)),
        ("oxycodone 30 mg q6h", {}, "NOT_MET", ()),  # 180 MME alone is over
        ("oxycodone 10mg #60", {}, "INSUFFICIENT_INFORMATION", ("days_supply",)),
        ("oxycodone 10mg #60", {"days_supply": 30, "other_opioid_mme": 0}, "MET", ()),
        (
            "Roxicodone q6h",
            {"other_opioid_mme": 0},
            "INSUFFICIENT_INFORMATION",
            ("opioid_strength",),
        ),
    ],
)
def test_the_governing_sections_dose_limit_is_judged_on_the_daily_mme(
    drug_index: GuidelineIndex, service: str, facts: dict, status: str, needs: tuple
) -> None:
    result = answer(drug_index, service, "2017-01-01", {"phase": "chronic", **facts})
    assert result.governing is not None and result.governing.section == "Opioid dosing"
    limit = next(c for c in result.criteria if c.id == "crit:opioid-80")
    assert (limit.status.value, limit.needs) == (status, needs), limit.text
    mtus = result.dose.thresholds[0] if result.dose else None
    assert mtus is not None and mtus.label.endswith("80 MME/day") and mtus.status == status


def test_mtus_and_cdc_thresholds_by_date(index: GuidelineIndex) -> None:
    def labels(on: str) -> list[tuple[str, str]]:
        dose = answer(index, "oxycodone 10 mg q6h", on, {"other_opioid_mme": 0}).dose
        assert dose is not None and dose.mme_per_day == 60
        return [(t.label.split(",")[0], t.status) for t in dose.thresholds]

    assert ("MTUS CPMTG: Chronic Pain Medical Treatment Guidelines (2009)", "MET") in labels(
        "2015-06-01"
    )
    later = labels("2017-03-01")  # CPMTG 2016 (120) and the Opioids guideline (80), CDC 2016
    assert ("CDC 2016: 50 MME/day", "NOT_MET") in later
    assert ("CDC 2016: 90 MME/day", "MET") in later
    assert any("Opioids Treatment Guidelines (2016)" in label for label, _ in later)
    assert ("CDC 2022: 50 MME/day", "NOT_MET") in labels("2023-06-01")


# --- MME read from requests as reviewers write them (table-driven) ---------------------------

MME_CASES = [
    # text, treatment, date, days_supply, MME/day, missing
    ("Norco 10/325 #60", "hydrocodone-acetaminophen", "2019-01-01", None, None, ("days_supply",)),
    ("Norco 10/325 #60", "hydrocodone-acetaminophen", "2019-01-01", 30, 20.0, ()),
    ("Norco 10/325 #120 per month", "hydrocodone-acetaminophen", "2019-01-01", None, 40.0, ()),
    ("Norco 10/325mg #120/month", "hydrocodone-acetaminophen", "2019-01-01", None, 40.0, ()),
    ("oxycodone 10 mg q6h prn", "oxycodone", "2019-01-01", None, 60.0, ()),
    ("Percocet 5/325 1 tab every 6 hours", "oxycodone-acetaminophen", "2019-01-01", None, 30.0, ()),
    ("Percocet 10/325 mg #90 for 30 days", "oxycodone-acetaminophen", "2019-01-01", None, 45.0, ()),
    ("Norco 5-325 one tablet twice daily", "hydrocodone-acetaminophen", "2019-01-01", None, 10.0, ()),
    ("hydrocodone 10/325 2 tablets 3 times a day", "hydrocodone-acetaminophen", "2019-01-01",
     None, 60.0, ()),
    ("MS Contin 30mg BID #60", "morphine-er", "2019-01-01", None, 60.0, ()),
    ("Tylenol #3 #60 for 30 days", "codeine-acetaminophen", "2019-01-01", None, 9.0, ()),
    ("Duragesic 25mcg/hr #10", "fentanyl", "2019-01-01", None, 60.0, ()),
    # tramadol 0.1 in the CDC 2016 table, 0.2 in the CDC 2022 table
    ("Tramadol 50mg 1-2 tabs q4-6h prn", "tramadol", "2019-01-01", None, 60.0, ()),
    ("Tramadol 50mg 1-2 tabs q4-6h prn", "tramadol", "2023-01-01", None, 120.0, ()),
    # methadone: banded in 2016 (21-40 mg/day: 8), one factor (4.7) in 2022
    ("Methadone 10mg TID", "methadone", "2019-01-01", None, 240.0, ()),
    ("Methadone 10mg TID", "methadone", "2023-01-01", None, 141.0, ()),
    ("Dilaudid 2mg q4h", "hydromorphone", "2019-01-01", None, 48.0, ()),
    ("Dilaudid 2mg q4h", "hydromorphone", "2023-01-01", None, 60.0, ()),
    ("one month supply of Norco 10/325 #60", "hydrocodone-acetaminophen", "2019-01-01", None,
     20.0, ()),
    ("Norco 10/325 #60 30-day supply", "hydrocodone-acetaminophen", "2019-01-01", None, 20.0, ()),
    ("Ultram 50mg #30", "tramadol", "2017-01-01", None, None, ("days_supply",)),
    ("oxycodone q6h", "oxycodone", "2019-01-01", None, None, ("opioid_strength",)),
    ("oxycodone 10mg", "oxycodone", "2019-01-01", None, None, ("dose_frequency",)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "drug", "on", "supply", "mme", "missing"), MME_CASES)
def test_mme_per_day_read_from_the_request(
    text: str, drug: str, on: str, supply: int | None, mme: float | None, missing: tuple
) -> None:
    dose = read_dose(text, (f"tx:{drug}",), date.fromisoformat(on), days_supply=supply)
    assert dose is not None
    assert (dose.mme_per_day, dose.missing) == (mme, missing), dose.basis


def test_an_opioid_without_a_cdc_factor_says_so(index: GuidelineIndex) -> None:
    dose = answer(index, "buprenorphine 8mg SL daily", "2019-06-01").dose
    assert dose is not None and dose.mme_per_day is None
    assert dose.missing == ("conversion_factor",) and "buprenorphine" in dose.basis


def test_a_request_before_the_first_cdc_table_says_which_table_was_used() -> None:
    dose = read_dose("oxycodone 10 mg q6h", ("tx:oxycodone",), date(2015, 6, 1))
    assert dose is not None and dose.mme_per_day == 60 and dose.factor_table == "CDC 2016"
    assert "postdates the request" in dose.basis


# --- the command line and GraphQL ------------------------------------------------------------


def test_resolve_prints_the_drug_list_standing_and_the_dose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["resolve", "--date", "2023-01-10", "--diagnosis", "low back pain"]
    services = ["--service", "Lidoderm 5% patch #30", "--service", "oxycodone 10 mg q6h"]
    assert main([*args, *services, "--fact", "other_opioid_mme=0"]) == 0
    text = capsys.readouterr().out
    assert "drug list: EXEMPT: lidocaine patch is Exempt (MTUS Drug List v10" in text
    assert "dose: 60 MME/day" in text
    assert "[NOT_MET] CDC 2022: 50 MME/day" in text
    assert main([*args, *services, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["services"]
    assert out[0]["drug_list"]["standing"] == "EXEMPT"
    assert out[0]["drug_list"]["list_version"] == "10"
    assert out[1]["dose"]["mme_per_day"] == 60
    # 60 MME/day alone is over 50: NOT_MET whatever else is taken, so no fact is needed
    assert out[1]["dose"]["thresholds"][-1] | {"source": ""} == {
        "label": "CDC 2022: 50 MME/day",
        "max_mme": 50.0,
        "status": "NOT_MET",
        "needs": [],
        "meaning": out[1]["dose"]["thresholds"][-1]["meaning"],
        "source": "",
        "confidence": "U",
    }


def test_resolve_before_2018_says_no_formulary_applied(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", "--date", "2017-05-01", "--service", "Norco 10/325 #60"]) == 0
    assert "drug list: NO_FORMULARY: No MTUS Drug List applied on 2017-05-01" in (
        capsys.readouterr().out
    )


GRAPHQL = """
query ($input: ResolveInput!) {
  resolve(input: $input) {
    ... on ResolveSuccess {
      services {
        request
        drugList { standing text listVersion listVersionFrom recordedStatus specialFillDays
                   prospectiveReview sources confidence }
        dose { opioid mmePerDay missing factorTable thresholds { label maxMme status needs } }
      }
    }
  }
}
"""


def test_each_service_resolution_carries_its_drug_answers_in_graphql(
    index: GuidelineIndex,
) -> None:
    context = Context(index, TODAY, datetime(2026, 1, 1, tzinfo=UTC), 2000)
    services = [{"text": "Norco 10/325 #120 per month"}, {"text": "ibuprofen 800mg"}]
    variables = {"input": {"date": "2019-06-01", "diagnoses": [], "services": services}}
    result = schema.execute_sync(GRAPHQL, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    norco, ibuprofen = result.data["resolve"]["services"]
    assert norco["drugList"]["standing"] == "NON_EXEMPT"
    assert norco["drugList"]["listVersionFrom"] == "2018-10-01"
    assert norco["drugList"]["specialFillDays"] == 4 and norco["drugList"]["prospectiveReview"]
    assert norco["dose"]["mmePerDay"] == 40 and norco["dose"]["factorTable"] == "CDC 2016"
    assert ibuprofen["drugList"]["standing"] == "NOT_KNOWN"
    assert ibuprofen["drugList"]["recordedStatus"] == "Exempt"
    assert ibuprofen["drugList"]["prospectiveReview"] is None and ibuprofen["dose"] is None


# --- the audit --------------------------------------------------------------------------------

LETTER = DATA / "letters" / "synthetic-2023-drug-list.txt"


def test_a_letter_calling_an_exempt_drug_non_exempt_is_a_finding(index: GuidelineIndex) -> None:
    findings = [
        f
        for f in audit(read_letter(LETTER.read_text(encoding="utf-8")), index)
        if f.kind == "drug_list_status"
    ]
    # item 1 calls the lidocaine patch Non-Exempt on 2023-01-10 (Exempt from v10); item 2 calls
    # hydrocodone Non-Exempt, which it is
    assert [(f.item, f.severity) for f in findings] == [(1, "error")]
    assert findings[0].evidence == "says Non-Exempt; list: EXEMPT (v10)"
    assert "No trial" not in findings[0].message  # never the rationale (PHI)


def test_the_same_words_before_v10_are_no_finding(index: GuidelineIndex, tmp_path: Path) -> None:
    text = LETTER.read_text(encoding="utf-8").replace("01/10/2023", "01/10/2022")
    earlier = tmp_path / "letter.txt"
    earlier.write_text(text, encoding="utf-8")
    findings = [
        f
        for f in audit(read_letter(earlier.read_text(encoding="utf-8")), index)
        if f.kind == "drug_list_status"
    ]
    assert findings == []  # Non-Exempt on v9
