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
        "EMG and NCV, both lower extremities",
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
        "Tabradol 1mg/ml oral suspension 250ml",
        "2016-12-01",
        ["low back pain"],
        {},
        CPMTG,
        "Compound drugs",
        None,
        id="2016-oral-compounded-kit",
    ),
    P(
        "Psychotherapy x 6",
        "2019-06-01",
        ["major depressive disorder"],
        {},
        ACOEM_MTUS,
        "Cognitive Behavioral Therapy",
        None,
        id="2019-depression-is-not-served-by-the-ptsd-guideline",
    ),
    P(
        "Psychotherapy x 6",
        "2019-06-01",
        ["PTSD"],
        {},
        ACOEM_MTUS,
        "Trauma-Focused Psychotherapy",
        None,
        id="2019-ptsd-is-served-by-the-ptsd-guideline",
    ),
    P(
        "Chest CT",
        "2019-01-10",
        ["interstitial lung disease"],
        {},
        ACOEM_MTUS,
        "Chest Imaging",
        None,
        id="2019-chest-ct-for-lung-disease",
    ),
    P(
        "Methacholine challenge test",
        "2019-01-10",
        ["asthma"],
        {},
        ACOEM_MTUS,
        "Methacholine Challenge Testing",
        None,
        id="2019-bronchial-challenge-for-asthma",
    ),
    P(
        "ultrasound 1 times 8",
        "2016-12-01",
        ["shoulder impingement"],
        {},
        CPMTG,
        "Ultrasound, therapeutic",
        None,
        id="2016-ultrasound-with-sessions",
    ),
    P(
        "US x 8",
        "2016-12-01",
        ["shoulder impingement"],
        {},
        CPMTG,
        "Ultrasound, therapeutic",
        None,
        id="2016-us-abbreviation-with-sessions",
    ),
    P(
        "therapeutic ultrasound 2x4",
        "2016-12-01",
        ["shoulder impingement"],
        {},
        CPMTG,
        "Ultrasound, therapeutic",
        None,
        id="2016-therapeutic-ultrasound",
    ),
    P(
        "ultrasound of the shoulder",
        "2016-12-01",
        ["shoulder impingement"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        "207-209",
        id="2016-ultrasound-of-a-region-is-imaging",
    ),
    P(
        "diagnostic ultrasound",
        "2016-12-01",
        ["shoulder impingement"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        "207-209",
        id="2016-diagnostic-ultrasound-is-imaging",
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
        "Lumbar x-rays, three views",
        "2016-12-01",
        ["low back pain"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        None,
        id="2016-xray",
    ),
    P(
        "CT of the cervical spine without contrast",
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
    # MTUS silent, ACOEM and ODG both address it: reviewers of the tuning letters cite ODG for
    # durable medical equipment (citation counts), so ODG before the more recent ACOEM edition.
    P(
        "Hospital bed rental",
        "2016-12-01",
        ["low back pain"],
        {},
        "ODG",
        None,
        None,
        id="2016-mtus-silent-counts-odg",
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
    # issue 14, part 3: rules that generalise
    # "Associated surgical service: ..." heads the ancillaries of a requested surgery: post-operative.
    P(
        "Associated surgical service: Physical therapy, 12 visits",
        "2016-12-01",
        ["rotator cuff tear"],
        {},
        "MTUS Post-Surgical",
        None,
        None,
        id="2016-associated-surgical-service-is-postoperative",
    ),
    # "status post" is a surgery only when it names a procedure
    P(
        "Physical therapy 8 visits for the right knee",
        "2016-12-01",
        ["s/p right knee arthroscopy"],
        {},
        "MTUS Post-Surgical",
        "Knee",
        None,
        id="2016-status-post-a-procedure-is-post-surgical",
    ),
    P(
        "Physical therapy 8 visits for the right knee",
        "2016-12-01",
        ["status post fall", "knee sprain"],
        {},
        CPMTG,
        "Physical medicine treatment",
        None,
        id="2016-status-post-a-fall-is-not-surgery",
    ),
    # a limb named without a joint is the limb, not the spine
    P(
        "MRI of the left lower extremity",
        "2016-12-01",
        ["knee pain"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        "341-343",
        id="2016-lower-extremity-is-the-leg-not-the-low-back",
    ),
    P(
        "EMG of the right upper extremity",
        "2016-12-01",
        ["carpal tunnel syndrome"],
        {"date_of_injury": "2016-11-01"},
        ACOEM_MTUS,
        "Special Studies",
        "268-269",
        id="2016-upper-extremity-is-the-arm-not-the-neck",
    ),
    P(
        "Nerve conduction study of the RUE",
        "2016-12-01",
        ["carpal tunnel syndrome"],
        {"date_of_injury": "2016-11-01"},
        ACOEM_MTUS,
        "Special Studies",
        "268-269",
        id="2016-rue-is-the-right-arm",
    ),
    # two regions fit: the one more diagnoses lie in governs, not the more recent edition
    P(
        "X-rays of the cervical and lumbar spine",
        "2016-12-01",
        ["low back pain", "lumbar radiculopathy", "cervicalgia"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        "303-304",
        id="2016-region-tie-broken-by-diagnoses-low-back",
    ),
    P(
        "X-rays of the cervical and lumbar spine",
        "2016-12-01",
        ["neck pain", "cervical radiculopathy", "low back pain"],
        {},
        ACOEM_MTUS,
        "Special Studies",
        "177-178",
        id="2016-region-tie-broken-by-diagnoses-neck",
    ),
    # a chapter's topic covers every region of its chapter (ODG Low Back - Lumbar & Thoracic)
    P(
        "Hospital bed",
        "2016-12-01",
        ["thoracic compression fracture"],
        {},
        "ODG",
        None,
        None,
        id="2016-thoracic-spine-in-the-lumbar-and-thoracic-chapter",
    ),
    # a device for heat therapy is governed by the guidance on heat, not by "all DME"
    P(
        "Heating pad",
        "2016-12-01",
        ["low back pain"],
        {},
        ACOEM_MTUS,
        "Initial Care",
        "298-301",
        id="2016-heating-pad-is-heat-therapy",
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
    ("service", "excluded"),
    [
        ("Tabradol 1mg/ml oral suspension", "methylsulfonylmethane"),
        ("Synapryn 10mg/ml oral suspension", None),
    ],
)
def test_an_oral_compounded_kit_is_judged_on_every_ingredient(
    index: GuidelineIndex, service: str, excluded: str | None
) -> None:
    """The compound-drug rule covers kits a pharmacy compounds into an oral suspension, not only
    topicals: the compound-drug section governs, each ingredient is checked as the drug it is, and
    an ingredient that is not recommended is named in the criterion and the trace."""
    result = _one(index, service, ["knee osteoarthritis"])
    assert result.governing is not None and result.governing.section == "Compound drugs"
    rule = [c for c in result.criteria if c.id == "rule:compound-ingredients"]
    assert len(rule) == 1
    if excluded is None:
        assert rule[0].status.value == "MET", rule[0].text
        return
    assert rule[0].status.value == "NOT_MET" and excluded in rule[0].text
    assert any(line.startswith("Compound:") and excluded in line for line in result.trace)


def test_a_fixed_dose_combination_is_not_judged_as_a_compound(index: GuidelineIndex) -> None:
    result = _one(index, "Norco 10/325 #60", ["low back pain"])
    assert not [c for c in result.criteria if c.id == "rule:compound-ingredients"]


@pytest.mark.parametrize(
    ("service", "diagnoses", "on", "devoted"),
    [
        ("Sertraline 50mg #30", ["F32.9"], "2019-06-01", "Post-traumatic Stress Disorder"),
        (
            "Cognitive behavioral therapy x6",
            ["generalized anxiety disorder"],
            "2021-01-10",
            "Depressive Disorders",
        ),
        ("Pulmonary function tests", ["obstructive sleep apnea"], "2019-01-10", "Lung Disease"),
        ("Pulmonary function tests", ["obstructive sleep apnea"], "2019-01-10", "Asthma"),
    ],
)
def test_a_guideline_for_one_condition_family_does_not_serve_another(
    index: GuidelineIndex, service: str, diagnoses: list[str], on: str, devoted: str
) -> None:
    """A guideline written for one family of conditions (PTSD and acute stress disorder, work-
    related asthma, interstitial lung disease) is silent on a case whose diagnoses all lie outside
    that family: it is never a candidate, and the search goes on."""
    result = _one(index, service, diagnoses, on)
    assert not [c for c in result.candidates if devoted in c.document], result.candidates
    passed = [line for line in result.trace if line.startswith("Not for these diagnoses")]
    assert passed and devoted in passed[0], result.trace


def test_a_kept_ranking_never_serves_one_condition_family_to_another(
    index: GuidelineIndex,
) -> None:
    """The resolver's ranking cache keys on the diagnoses that can change a ranking: under a
    guideline written for one condition family every diagnosis counts, so a depression case asked
    after a PTSD case (same service, same date) is not handed the PTSD guideline."""
    from kg.resolve.cached import CachedResolver

    resolver = CachedResolver(index)

    def governing(diagnosis: str) -> str:
        request = ResolveRequest.parse(
            on="2019-06-01",
            services=["Psychotherapy x 6"],
            diagnoses=[diagnosis],
            today=date(2026, 1, 1),
        )
        result = resolver.resolve(request)[0]
        return result.governing.document if result.governing else ""

    ptsd = governing("PTSD")
    assert "Post-traumatic" in ptsd or "PTSD" in ptsd, ptsd
    assert governing("major depressive disorder") != ptsd


def test_a_lung_service_never_reaches_a_knee_topic(index: GuidelineIndex) -> None:
    result = _one(index, "Chest CT", ["interstitial lung disease"], "2019-01-10")
    assert result.candidates and not [c for c in result.candidates if "Knee" in c.document]


# The search sequence in force on the request date, as the trace cites it: 8 CCR 9792.22 (the
# first MTUS, 2007-06-15), 9792.25 (2009-07-18), 9792.21.1 (2015-04-20). Each date is the first or
# last day of a rule.
SEQUENCE_RULES = [
    P("2007-06-15", "8 CCR 9792.22 ", "8 CCR 9792.22 (2007)", id="first-mtus-day"),
    P("2009-07-17", "8 CCR 9792.22 ", "8 CCR 9792.22 (2007)", id="last-day-of-9792.22"),
    P("2009-07-18", "8 CCR 9792.25 ", "8 CCR 9792.25(a) (2009)", id="first-day-of-9792.25"),
    P("2015-04-19", "8 CCR 9792.25 ", "8 CCR 9792.25(a) (2009)", id="last-day-of-9792.25"),
    P("2015-04-20", "8 CCR 9792.21.1 ", "8 CCR 9792.21.1(a)(1)", id="first-day-of-9792.21.1"),
    P("2024-01-02", "8 CCR 9792.21.1 ", "8 CCR 9792.21.1(a)(1)", id="9792.21.1-today"),
]


@pytest.mark.parametrize(("on", "rule", "basis"), SEQUENCE_RULES)
def test_the_trace_cites_the_search_rule_in_force_on_the_request_date(
    index: GuidelineIndex, on: str, rule: str, basis: str
) -> None:
    request = ResolveRequest.parse(
        on=on, services=["Acupuncture x6"], diagnoses=["low back pain"], today=date(2026, 1, 1)
    )
    trace = resolve(request, index)[0].trace
    assert f"Search sequence in force on {on}: {rule}" in "\n".join(trace)
    step_one = next(line for line in trace if line.startswith("Step 1"))
    assert basis in step_one
    others = {"8 CCR 9792.22 ", "8 CCR 9792.25 ", "8 CCR 9792.21.1 "} - {rule}
    assert not any(f"in force on {on}: {o}" in line for o in others for line in trace)


@pytest.mark.parametrize(
    ("on", "next_step"),
    [("2013-12-10", "8 CCR 9792.25(b) (2009)"), ("2016-12-01", "8 CCR 9792.21.1(a)(2)(A)")],
)
def test_a_silent_mtus_sends_the_search_to_the_next_step_of_the_rule_in_force(
    index: GuidelineIndex, on: str, next_step: str
) -> None:
    request = ResolveRequest.parse(
        on=on, services=["Stem cell injection"], diagnoses=["low back pain"], today=date(2026, 1, 1)
    )
    step_one = next(line for line in resolve(request, index)[0].trace if line.startswith("Step 1"))
    assert "silent on the service" in step_one and f"({next_step})" in step_one


def _odg(index: GuidelineIndex, on: str):
    request = ResolveRequest.parse(
        on=on,
        services=["Hyaluronic acid injection"],
        diagnoses=["knee osteoarthritis"],
        today=date(2026, 1, 1),
    )
    result = resolve(request, index)[0]
    odg = [c for c in result.candidates if c.guideline == "ODG"]
    assert odg, [c.text for c in result.candidates]
    return odg[0], result.trace


def test_odg_is_cited_as_letters_cite_it_with_its_edition_when_current(
    index: GuidelineIndex,
) -> None:
    citation, trace = _odg(index, "2016-06-01")
    assert citation.text == (
        "Non-MTUS: Official Disability Guidelines (ODG), Knee & Leg (Acute & Chronic), "
        "Hyaluronic acid injections"
    )
    assert citation.edition == "2016"
    assert not any(line.startswith("ODG on") for line in trace)


def test_odg_on_a_later_date_does_not_show_the_2016_edition_as_current(
    index: GuidelineIndex,
) -> None:
    citation, trace = _odg(index, "2022-06-01")
    assert citation.text.startswith("Non-MTUS: Official Disability Guidelines (ODG), Knee & Leg")
    assert citation.edition != "2016" and "unknown" in citation.edition
    assert "2016" in citation.edition  # what the graph holds, said as such
    assert any(
        line.startswith("ODG on 2022-06-01: the edition current then is not in the graph")
        for line in trace
    )


def test_a_kept_ranking_does_not_carry_an_odg_edition_across_the_new_year(
    index: GuidelineIndex,
) -> None:
    from kg.resolve.cached import CachedResolver

    resolver = CachedResolver(index)

    def edition(on: str) -> str | None:
        request = ResolveRequest.parse(
            on=on,
            services=["Hyaluronic acid injection"],
            diagnoses=["knee osteoarthritis"],
            today=date(2026, 1, 1),
        )
        result = resolver.resolve(request)[0]
        return next(c.edition for c in result.candidates if c.guideline == "ODG")

    assert edition("2016-12-31") == "2016"
    assert edition("2017-01-01") != "2016"
    assert edition("2016-12-30") == "2016"


def _one(index: GuidelineIndex, service: str, diagnoses: list[str], on: str = "2016-12-01"):
    request = ResolveRequest.parse(
        on=on, services=[service], diagnoses=diagnoses, today=date(2026, 1, 1)
    )
    return resolve(request, index)[0]


@pytest.mark.parametrize(
    ("service", "diagnoses"),
    [("Wheelchair", ["lateral epicondylitis"]), ("Shower chair", ["knee osteoarthritis"])],
)
def test_mtus_silent_is_binding(index: GuidelineIndex, service: str, diagnoses: list[str]) -> None:
    """Issue 14: a section linked to the service only through a whole category (all DME) never
    governs; the trace says the MTUS is silent and the search goes on."""
    result = _one(index, service, diagnoses)
    trace = " ".join(result.trace)
    assert "silent on the service" in trace
    governing = result.governing
    assert governing is None or not governing.mtus, governing
    if governing is None:
        assert result.outcome.value == "NOT_ADDRESSED" and not result.candidates


def test_with_the_mtus_silent_reviewer_citation_counts_choose_acoem_or_odg(
    index: GuidelineIndex,
) -> None:
    """Issue 14: the choice between ACOEM and ODG follows what reviewers cite (the citation counts
    of the tuning letters), not edition recency, and the trace says which rule decided."""
    result = _one(index, "Hospital bed rental", ["low back pain"])
    assert result.governing is not None and result.governing.guideline == "ODG"
    assert any(
        c.guideline == "ACOEM" for c in result.candidates
    )  # both families addressed it: a real choice
    decided = [line for line in result.trace if line.startswith("Step 2, ACOEM or ODG")]
    assert decided and "reviewers cite ODG" in decided[0] and "citation counts" in decided[0]


# The MTUS Drug List standing in every drug answer (8 CCR 9792.27.1 ff.) and the daily MME of
# an opioid request (CDC factors): one row per rule of kg.drug_list and kg.mme.
DRUG_CASES = [
    P("Norco 10/325 #60", "2017-12-31", "NO_FORMULARY", None, id="drug-list-none-before-2018"),
    P("Norco 10/325 #60", "2018-01-01", "NON_EXEMPT", None, id="drug-list-opioid-non-exempt"),
    P("Lidoderm 5% patch #30", "2022-11-01", "EXEMPT", None, id="drug-list-lidocaine-v10"),
    P("cyclobenzaprine 10mg #30", "2021-06-01", "NOT_KNOWN", None, id="drug-list-no-entry"),
    P("Flurbiprofen 20%, Lidocaine 5% cream", "2019-01-01", "COMPOUNDED", None, id="compound"),
    P("Synapryn 10mg/ml oral suspension", "2019-01-01", "COMPOUNDED", None, id="compounding-kit"),
    P("oxycodone 10 mg q6h prn", "2019-06-01", "NON_EXEMPT", 60.0, id="mme-schedule"),
    P("Norco 10/325 #120 per month", "2023-06-01", "NON_EXEMPT", 40.0, id="mme-count-per-month"),
]


@pytest.mark.parametrize(("service", "on", "standing", "mme"), DRUG_CASES)
def test_drug_list_standing_and_daily_mme(
    index: GuidelineIndex, service: str, on: str, standing: str, mme: float | None
) -> None:
    request = ResolveRequest.parse(on=on, services=[service], today=date(2026, 1, 1))
    result = resolve(request, index)[0]
    assert result.drug_list is not None and result.drug_list.standing.value == standing
    assert (result.dose.mme_per_day if result.dose else None) == mme


@pytest.mark.parametrize(
    ("service", "suggested"),
    [
        ("Flereril 10mg #60", ["tx:cyclobenzaprine"]),  # a misspelled brand: the drug suggested
        ("Zelvordax", []),  # a made-up name near no word of the graph: nothing suggested
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
