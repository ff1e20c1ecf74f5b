"""The resolver's specification as a table over the shipped graph: which guideline governs.

Each row: the service as a reviewer writes it, the request date, the diagnoses, facts, and the
expected governing citation (guideline label and section title; a page range or document where it
matters). Eras: the 2009 CPMTG and ACOEM 2004 chapters (2009-07-18 to 2016-07-27), the 2016 CPMTG
and Opioids guideline (2016-07-28 to 2017-11-30), the ACOEM guidelines adopted from 2017-12-01.
"""

from __future__ import annotations

from datetime import date

import pytest

from kg.index import GuidelineIndex
from kg.resolve import ResolveRequest, resolve

CPMTG, ACOEM_MTUS = "MTUS CPMTG", "MTUS ACOEM"

P = pytest.param
CASES = [
    # misspelled services, read by the fuzzy match (kg/names.py: a word within two slips of a
    # known one, or two known words run together, points to the names that hold it)
    P(
        "Physcal therapy",
        "2013-12-10",
        ["low back pain"],
        {},
        CPMTG,
        "Physical Medicine",
        "98-99",
        id="misspelled-dropped-letter",
    ),
    P(
        "physicaltherapy",
        "2013-12-10",
        ["low back pain"],
        {},
        CPMTG,
        "Physical Medicine",
        "98-99",
        id="misspelled-words-run-together",
    ),
    P(
        "Cyclobenzaprin",
        "2013-12-10",
        ["low back pain"],
        {},
        CPMTG,
        "Cyclobenzaprine (Flexeril)",
        "41-42",
        id="misspelled-drug",
    ),
    # the seed letter's four services, 2013 (page-cited era)
    P(
        "PHYSICAL THERAPY X6",
        "2013-12-10",
        ["low back pain", "myalgia"],
        {},
        CPMTG,
        "Physical Medicine",
        "98-99",
        id="seed-pt",
    ),
    P(
        "CYCLOBENZAPRINE",
        "2013-12-10",
        ["low back pain"],
        {},
        CPMTG,
        "Cyclobenzaprine (Flexeril)",
        "41-42",
        id="seed-cyclobenzaprine",
    ),
    P(
        "KETOPROFEN",
        "2013-12-10",
        ["low back pain"],
        {},
        CPMTG,
        "NSAIDs (non-steroidal anti-inflammatory drugs)",
        "67-73",
        id="seed-oral-ketoprofen",
    ),
    P(
        "SPINE SURGERY CONSULTATION",
        "2013-12-10",
        ["low back pain", "radiculopathy"],
        {},
        ACOEM_MTUS,
        "Surgical Considerations",
        "305-306",
        id="seed-spine-consult",
    ),
    # 2009-2016 era
    P(
        "Ketoprofen 20% cream",
        "2013-12-10",
        ["low back pain"],
        {},
        CPMTG,
        "Topical analgesics",
        "111-113",
        id="2013-topical-ketoprofen",
    ),
    P(
        "Norco 10/325 #60",
        "2014-05-01",
        ["chronic low back pain"],
        {},
        CPMTG,
        "Opioids, criteria for use",
        None,
        id="2014-norco",
    ),
    P(
        "MRI of the lumbar spine",
        "2014-05-01",
        ["lumbar radiculopathy"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        "303-304",
        id="2014-mri-lumbar",
    ),
    P(
        "EMG/NCS of the upper extremities",
        "2014-03-01",
        ["cervical radiculopathy"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        None,
        id="2014-emg-arms-neck-chapter",
    ),
    P(
        "Lumbar epidural steroid injection L4-5",
        "2014-03-01",
        ["lumbar radiculopathy"],
        {},
        CPMTG,
        "Epidural steroid injections (ESIs)",
        "46",
        id="2014-esi",
    ),
    P(
        "TENS unit",
        "2014-03-01",
        ["low back pain"],
        {},
        CPMTG,
        "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
        "114-116",
        id="2014-tens",
    ),
    P(
        "Acupuncture x6",
        "2014-03-01",
        ["low back pain"],
        {},
        "MTUS Acupuncture",
        "Acupuncture",
        None,
        id="2014-acupuncture",
    ),
    P(
        "Omeprazole 20mg #30",
        "2014-03-01",
        ["GERD"],
        {},
        CPMTG,
        "NSAIDs, GI symptoms & cardiovascular risk",
        "68-69",
        id="2014-ppi",
    ),
    P(
        "Lidoderm patches #30",
        "2014-03-01",
        ["neuropathic pain"],
        {},
        CPMTG,
        "Lidoderm (lidocaine patch)",
        "56-57",
        id="2014-lidoderm",
    ),
    P(
        "Urine drug screen",
        "2014-03-01",
        ["chronic pain"],
        {},
        CPMTG,
        "Drug testing",
        "43",
        id="2014-udt",
    ),
    P(
        "Functional restoration program x10 days",
        "2014-03-01",
        ["chronic pain syndrome"],
        {},
        CPMTG,
        "Chronic pain programs (functional restoration programs)",
        None,
        id="2014-frp",
    ),
    P(
        "Celebrex 200mg #30",
        "2014-03-01",
        ["knee osteoarthritis"],
        {},
        CPMTG,
        "NSAIDs (non-steroidal anti-inflammatory drugs)",
        None,
        id="2014-celecoxib",
    ),
    P(
        "Trigger point injections x3",
        "2014-03-01",
        ["myofascial pain"],
        {},
        CPMTG,
        "Trigger point injections",
        "122",
        id="2014-tpi",
    ),
    P(
        "Post-operative physical therapy x12",
        "2014-03-01",
        ["carpal tunnel syndrome"],
        {"surgery_date": "2014-01-15"},
        "MTUS Post-Surgical",
        None,
        None,
        id="2014-postop-pt",
    ),
    P(
        "Physical therapy x6",
        "2014-03-01",
        ["lumbar sprain"],
        {"date_of_injury": "2014-02-10"},
        ACOEM_MTUS,
        None,
        None,
        id="2014-acute-pt-body-part-chapter",
    ),
    P(
        "Physical therapy x6",
        "2014-03-01",
        ["lumbar sprain"],
        {"date_of_injury": "2012-02-10"},
        CPMTG,
        "Physical Medicine",
        "98-99",
        id="2014-chronic-pt-cpmtg",
    ),
    P(
        "Physical therapy x6",
        "2014-03-01",
        ["lumbar sprain"],
        {"phase": "acute"},
        ACOEM_MTUS,
        None,
        None,
        id="2014-phase-given",
    ),
    P(
        "Chiropractic manipulation x6",
        "2012-03-01",
        ["low back pain"],
        {},
        CPMTG,
        "Manual therapy & manipulation",
        "58-59",
        id="2012-chiro",
    ),
    P(
        "Physical therapy x6",
        "2009-01-10",
        ["low back pain"],
        {},
        ACOEM_MTUS,
        None,
        None,
        id="2009-before-cpmtg",
    ),
    # 2016-2017 era
    P(
        "Physical therapy x12",
        "2017-01-15",
        ["M54.5"],
        {},
        CPMTG,
        "Physical medicine treatment",
        None,
        id="2017-pt",
    ),
    P(
        "Norco 10/325 #60",
        "2017-01-15",
        ["chronic low back pain"],
        {},
        "MTUS Opioids",
        None,
        None,
        id="2017-norco-opioids-guideline",
    ),
    P(
        "MRI of the lumbar spine",
        "2017-01-15",
        ["lumbar radiculopathy"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        "303-304",
        id="2017-mri-lumbar",
    ),
    P(
        "MRI of the cervical spine",
        "2016-12-01",
        ["cervicalgia"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        None,
        id="2016-mri-cervical",
    ),
    P(
        "MRI of the right shoulder",
        "2016-12-01",
        ["shoulder impingement"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        None,
        id="2016-mri-shoulder",
    ),
    P(
        "MRI of the left knee",
        "2016-12-01",
        ["knee pain"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        None,
        id="2016-mri-knee",
    ),
    P(
        "EMG/NCV of the bilateral lower extremities",
        "2016-12-01",
        ["lumbar radiculopathy"],
        {},
        CPMTG,
        "Electrodiagnostic testing (EMG/NCS)",
        None,
        id="2016-emg",
    ),
    P(
        "Lumbar epidural steroid injection L4-5",
        "2016-12-01",
        ["lumbar radiculopathy"],
        {},
        CPMTG,
        "Epidural steroid injections (ESIs)",
        None,
        id="2016-esi",
    ),
    P(
        "Chiropractic treatment 2 times a week for 4 weeks",
        "2016-12-01",
        ["low back pain"],
        {},
        CPMTG,
        "Manual therapy & manipulation",
        None,
        id="2016-chiro",
    ),
    P(
        "Gabapentin 600mg #90",
        "2016-12-01",
        ["lumbar radiculopathy"],
        {},
        CPMTG,
        "Gabapentin (Neurontin)",
        None,
        id="2016-gabapentin",
    ),
    P(
        "Flurbiprofen 20%, Baclofen 5%, Capsaicin 0.025% cream",
        "2016-12-01",
        ["low back pain"],
        {},
        CPMTG,
        "Topical analgesics",
        None,
        id="2016-compound",
    ),
    P(
        "Knee arthroscopy with partial meniscectomy",
        "2016-12-01",
        ["meniscus tear"],
        {},
        ACOEM_MTUS,
        "Surgical Considerations",
        None,
        id="2016-knee-surgery",
    ),
    P(
        "Home health aide 4 hours a day",
        "2016-12-01",
        ["low back pain"],
        {},
        CPMTG,
        "Home health services",
        None,
        id="2016-home-health",
    ),
    P(
        "Massage therapy x6",
        "2016-12-01",
        ["low back pain"],
        {},
        CPMTG,
        "Massage therapy",
        None,
        id="2016-massage",
    ),
    P(
        "Spinal cord stimulator trial",
        "2016-12-01",
        ["failed back surgery syndrome"],
        {},
        CPMTG,
        "Spinal cord stimulators (SCS)",
        None,
        id="2016-scs",
    ),
    P(
        "Fioricet #60",
        "2016-12-01",
        ["headache"],
        {},
        CPMTG,
        "Barbiturate-containing analgesic agents (BCAs)",
        None,
        id="2016-fioricet",
    ),
    P(
        "Soma 350mg #90",
        "2016-12-01",
        ["low back pain"],
        {},
        CPMTG,
        "Carisoprodol (Soma)",
        None,
        id="2016-soma",
    ),
    P(
        "Xanax 1mg #60",
        "2016-12-01",
        ["anxiety"],
        {},
        CPMTG,
        "Benzodiazepines",
        None,
        id="2016-benzodiazepine",
    ),
    P(
        "Work hardening x10",
        "2016-12-01",
        ["lumbar sprain"],
        {},
        CPMTG,
        "Work conditioning, work hardening",
        None,
        id="2016-work-hardening",
    ),
    P(
        "Cognitive behavioral therapy x6",
        "2016-12-01",
        ["chronic pain"],
        {},
        CPMTG,
        "Behavioral interventions",
        None,
        id="2016-cbt",
    ),
    P(
        "X-ray of the lumbar spine",
        "2016-12-01",
        ["low back pain"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        None,
        id="2016-xray",
    ),
    P(
        "CT scan of the cervical spine",
        "2016-12-01",
        ["neck pain"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        None,
        id="2016-ct",
    ),
    P(
        "Carpal tunnel release",
        "2016-12-01",
        ["carpal tunnel syndrome"],
        {},
        ACOEM_MTUS,
        "Surgical Considerations",
        None,
        id="2016-ctr",
    ),
    P(
        "Follow-up office visit",
        "2016-12-01",
        ["low back pain"],
        {},
        CPMTG,
        "Office visits",
        None,
        id="2016-office-visit",
    ),
    P(
        "Aquatic therapy x12",
        "2016-12-01",
        ["low back pain", "obesity"],
        {},
        CPMTG,
        "Aquatic therapy",
        None,
        id="2016-aquatic",
    ),
    P(
        "Hearing aids",
        "2016-12-01",
        ["hearing loss"],
        {},
        "ODG",
        "Hearing aids",
        None,
        id="2016-mtus-silent-odg",
    ),
    P(
        "Hospital bed rental",
        "2016-12-01",
        ["low back pain"],
        {},
        "ACOEM",
        None,
        None,
        id="2016-mtus-silent-acoem",
    ),
    # from 2017-12-01: the ACOEM guidelines adopted by reference
    P(
        "Physical therapy x12",
        "2018-06-01",
        ["M54.5"],
        {},
        ACOEM_MTUS,
        "Exercise",
        None,
        id="2018-pt-low-back",
    ),
    P(
        "Physical therapy x12",
        "2022-06-01",
        ["M54.50"],
        {},
        ACOEM_MTUS,
        "Exercise",
        None,
        id="2022-pt-low-back-2020",
    ),
    P(
        "MRI of the lumbar spine",
        "2018-06-01",
        ["lumbar radiculopathy"],
        {},
        ACOEM_MTUS,
        "MRI",
        None,
        id="2018-mri",
    ),
    P(
        "Acupuncture x6",
        "2019-03-01",
        ["low back pain"],
        {},
        "MTUS Acupuncture",
        "Acupuncture",
        None,
        id="2019-acupuncture-guideline-still-in-force",
    ),
    P(
        "Naproxen 500mg #60",
        "2016-12-01",
        ["low back pain"],
        {},
        CPMTG,
        "Naproxen (Naprosyn, EC-Naprosyn, EC-Naprosyn, Anaprox, Anaprox DS [otc], Naprelan)",
        None,
        id="2016-naproxen",
    ),
    P(
        "Tramadol 50mg #60",
        "2014-03-01",
        ["low back pain"],
        {},
        CPMTG,
        "Tramadol (Ultram)",
        "93-94",
        id="2014-tramadol",
    ),
    P(
        "Naproxen 550mg #60",
        "2022-06-01",
        ["M54.50"],
        {},
        ACOEM_MTUS,
        "NSAIDs",
        None,
        id="2022-naproxen",
    ),
    P(
        "Duloxetine 60mg #30",
        "2021-03-01",
        ["chronic pain"],
        {},
        ACOEM_MTUS,
        "Antidepressants",
        None,
        id="2021-duloxetine-chronic-pain",
    ),
    P(
        "Oxycodone 10mg #90",
        "2020-03-01",
        ["chronic pain"],
        {},
        ACOEM_MTUS,
        "Opioids for Chronic Pain",
        None,
        id="2020-oxycodone",
    ),
    P(
        "Lumbar fusion L4-5",
        "2020-03-01",
        ["lumbar spondylolisthesis"],
        {},
        ACOEM_MTUS,
        "Spinal Fusion",
        None,
        id="2020-fusion",
    ),
    P(
        "Cervical epidural steroid injection",
        "2019-06-01",
        ["cervical radiculopathy"],
        {},
        ACOEM_MTUS,
        "Epidural Steroid Injections",
        None,
        id="2019-cervical-esi",
    ),
]


@pytest.mark.parametrize(
    ("service", "on", "diagnoses", "facts", "guideline", "section", "pages"), CASES
)
def test_governing_citation(
    index: GuidelineIndex,
    service: str,
    on: str,
    diagnoses: list[str],
    facts: dict,
    guideline: str,
    section: str | None,
    pages: str | None,
) -> None:
    request = ResolveRequest.parse(
        on=on, services=[service], diagnoses=diagnoses, facts=facts, today=date(2026, 1, 1)
    )
    result = resolve(request, index)[0]
    assert result.outcome.value == "RESOLVED", result.problems
    governing = result.governing
    assert governing is not None
    assert governing.guideline == guideline, governing.text
    assert governing.mtus == guideline.startswith("MTUS")
    if section is not None:
        assert governing.section == section, governing.text
    if pages is not None:
        assert governing.pages == pages, governing.text
    assert result.candidates[0] == governing
    if (
        governing.mtus
    ):  # the MTUS governs: every citation ranked before the first non-MTUS one is MTUS
        first_other = next(
            (i for i, c in enumerate(result.candidates) if not c.mtus), len(result.candidates)
        )
        assert all(c.mtus for c in result.candidates[:first_other])


def test_the_table_covers_enough_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("service", "excluded"),
    [
        ("Ketoprofen 20% cream", "Ketoprofen"),
        ("Gabapentin 10%, Cyclobenzaprine 6%, Bupivacaine 5% in cream base", "muscle relaxants"),
        ("Flurbiprofen 20%, Baclofen 5%, Capsaicin 0.025% cream", "baclofen"),
    ],
)
def test_topical_products_the_cpmtg_rules_out_do_not_meet_its_criteria(
    index: GuidelineIndex, service: str, excluded: str
) -> None:
    request = ResolveRequest.parse(
        on="2016-12-01", services=[service], diagnoses=["low back pain"], today=date(2026, 1, 1)
    )
    result = resolve(request, index)[0]
    assert result.governing is not None and result.governing.section == "Topical analgesics"
    failed = [c for c in result.criteria if c.status.value == "NOT_MET"]
    assert any(excluded.lower() in c.text.lower() for c in failed), [c.text for c in failed]


def test_an_fda_approved_topical_nsaid_is_not_ruled_out(index: GuidelineIndex) -> None:
    request = ResolveRequest.parse(
        on="2016-12-01",
        services=["Voltaren gel 1%"],
        diagnoses=["knee osteoarthritis"],
        today=date(2026, 1, 1),
    )
    result = resolve(request, index)[0]
    assert result.governing is not None
    assert not [c for c in result.criteria if c.status.value == "NOT_MET"]


@pytest.mark.parametrize(
    ("service", "suggested"),
    [
        ("Flereril 10mg #60", ["tx:cyclobenzaprine"]),  # a misspelled brand: the drug suggested
        ("Zelvordax tablets", []),  # a made-up name near no word of the graph: nothing suggested
    ],
)
def test_an_unmatched_service_suggests_only_names_near_its_words(
    index: GuidelineIndex, service: str, suggested: list[str]
) -> None:
    request = ResolveRequest.parse(
        on="2016-12-01", services=[service], diagnoses=["low back pain"], today=date(2026, 1, 1)
    )
    result = resolve(request, index)[0]
    assert result.outcome.value == "UNKNOWN_SERVICE"
    assert [s.id for s in result.suggestions] == suggested
