"""Behaviour of kg.letters through its public functions.

Synthetic letters under tests/data/letters are written for these tests in the two layouts of
the real letters (2013-15 page citations, 2016-17 Section(s) citations); the real dev letters
in /work/shared are used, when present, only as a smoke check.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import fpdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import LetterError
from kg.letters import (
    Determination,
    parse_quantity,
    read_letter,
    read_letter_bytes,
    read_letter_file,
)

DATA = Path(__file__).resolve().parent / "data" / "letters"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "letters"
SECTIONS = DATA / "synthetic-2016-sections.txt"
PAGES = DATA / "synthetic-2014-pages.txt"
PARTIAL = DATA / "synthetic-partial-authorized.txt"


def _read(path: Path) -> Determination:
    return read_letter(path.read_text(encoding="utf-8"))


def _labels(citations) -> list[str | None]:
    return [c.guideline for c in citations]


# --- 2016-17 layout -------------------------------------------------------------------------


def test_header_and_case_of_a_2016_letter():
    det = _read(SECTIONS)
    assert det.dwc_case_number == "CM17-0999001"
    assert det.letter_dates.date_assigned == "2017-01-09"
    assert det.letter_dates.decision_date == "2017-02-03"
    assert det.letter_dates.ur_denial_date == "2016-12-28"
    assert (det.case.age, det.case.sex, det.case.date_of_injury) == (47, "female", "2016-09-14")
    assert det.case.diagnoses == ("lumbar sprain", "right wrist tendinitis", "cervical strain")


def test_items_decisions_and_services():
    items = _read(SECTIONS).items
    assert [i.decision for i in items] == ["Upheld", "Upheld", "Overturned", "Upheld"]
    assert [i.medically_necessary for i in items] == [False, False, True, False]
    assert items[0].service == (
        "Physical therapy for the lumbar spine and right wrist 2 times a week for 4 weeks"
    )
    assert items[0].quantity == 8


def test_mtus_chain_gives_one_citation_per_title():
    ca = _read(SECTIONS).items[0].claims_administrator_citations
    assert _labels(ca) == ["MTUS ACOEM", "MTUS ACOEM", "MTUS CPMTG", "ODG"]
    assert ca[0].text == "Low Back Complaints 2004, Section(s): Physical Methods"
    assert ca[1].topic == "Forearm, Wrist, and Hand Complaints"  # inner 'and' is not a split
    assert ca[1].sections == "Initial Care"
    assert ca[2].text == (
        "Chronic Pain Medical Treatment 2016, Section(s): Physical medicine treatment."
    )
    assert (ca[2].edition, ca[2].sections) == ("2016", "Physical medicine treatment")
    assert ca[3].topic == "Low Back Chapter" and ca[3].mtus is False


def test_single_mtus_citation_keeps_the_sentence():
    rv = _read(SECTIONS).items[0].reviewer_citations
    assert len(rv) == 1
    assert rv[0].text == (
        "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): "
        "Physical medicine treatment."
    )
    assert rv[0].topic == "Chronic Pain Medical Treatment"


def test_partial_certification_with_decision_word_alone_on_next_line():
    item = _read(SECTIONS).items[1]
    assert item.heading.endswith("the original request, Naproxen 550mg #30 is")
    assert item.service == "Naproxen 550mg #30"
    assert item.quantity == 30
    pc = item.partial_certification
    assert pc is not None and pc.note is None
    assert pc.original_request == "Naproxen 550mg #60"
    assert pc.authorized_by_claims_administrator == "Naproxen 550mg #30"
    assert "partial_certification" in item.to_json()


def test_heading_glued_to_previous_rationale():
    items = _read(SECTIONS).items
    assert items[2].heading == "MRI of the right wrist without contrast"
    assert items[1].rationale_text.endswith("The request is not medically necessary.")
    assert "MRI of the right wrist" not in items[1].rationale_text


def test_two_sources_in_one_non_mtus_sentence_share_the_text():
    ca = _read(SECTIONS).items[2].claims_administrator_citations
    assert _labels(ca) == ["ODG", "Other"]  # the preamble is not a citation
    assert ca[0].text == ca[1].text
    # A URL wrapped at a hyphen is joined without a space.
    assert ca[1].topic == "https://www.example.org/imaging-criteria-wrist-pain.html"


def test_wrapped_heading_with_inner_colon_and_nothing_cited():
    item = _read(SECTIONS).items[3]
    assert item.service == "Associated surgical service: Wrist brace for purchase"
    assert item.claims_administrator_citations == ()
    assert item.reviewer_citations == ()


def test_rationale_text_joins_lines():
    item = _read(SECTIONS).items[2]
    assert item.rationale_text.startswith("Persistent wrist pain with a positive provocative test")
    assert "\n" not in item.rationale_text
    assert item.rationale_text.endswith("The request is medically necessary.")


# --- partial certification phrasings ---------------------------------------------------------


def test_authorized_alternative_phrasing_keeps_the_whole_request():
    det = _read(PARTIAL)
    assert len(det.items) == 3  # the boilerplate inside the summary invents no item
    item = det.items[0]
    assert item.service == "acupuncture 2 times a week for 6 weeks"  # as written
    assert item.quantity == 12
    assert item.partial_certification is not None
    assert item.partial_certification.note is not None
    assert item.partial_certification.authorized_by_claims_administrator == (
        "Acupuncture 2 times a week for 3 weeks"
    )


def test_remaining_portion_without_is_and_boilerplate_in_rationale():
    items = _read(PARTIAL).items
    assert items[1].service == "Six physical therapy sessions for the left knee"
    assert items[1].quantity == 6
    assert items[1].rationale_text.startswith("Ten physical therapy sessions")
    assert items[2].service == "Topical cream: Ketoprofen 10%, Lidocaine 5% 120gm"


def test_restated_odg_sentence_is_its_own_citation_and_grams():
    item = _read(PARTIAL).items[2]
    assert _labels(item.reviewer_citations) == ["MTUS CPMTG", "ODG", "ODG"]
    assert item.reviewer_citations[2].text == "Official Disability Guidelines (ODG) Compound drugs."
    assert (item.quantity, item.quantity_unit) == (120, "grams")
    assert item.to_json()["quantity_unit"] == "grams"


def test_case_without_serial_comma_and_header_date():
    case = _read(PARTIAL).case
    assert case.diagnoses == ("left knee strain", "left ankle sprain")
    assert (case.age, case.sex, case.date_of_injury) == (29, "male", "2016-07-02")


def _letter_with_summary(summary: str) -> str:
    return (
        "CLINICAL CASE SUMMARY\n" + summary + "\n\nIMR ISSUES, DECISIONS AND RATIONALES\n"
        "MRI of the neck: Upheld\n\nClaims Administrator guideline: Decision based on MTUS Neck "
        "and Upper Back Complaints 2004.\n\nMAXIMUS guideline: Decision based on MTUS Neck and "
        "Upper Back Complaints 2004.\n\nDecision rationale: Not supported.\n"
    )


@pytest.mark.parametrize(
    ("summary", "diagnoses"),
    [
        (
            "The injured worker is a 30 year old male being treated for contusion of face, scalp "
            "and neck, acute cervical sprain and rule out rib fracture.",
            ("contusion of face, scalp and neck", "acute cervical sprain", "rule out rib fracture"),
        ),
        (
            "The injured worker is a 30 year old male. Diagnoses are strain of muscle, fascia and "
            "tendon of the lower back; lumbar radiculopathy.",
            ("strain of muscle, fascia and tendon of the lower back", "lumbar radiculopathy"),
        ),
        (
            "The injured worker is a 30 year old male. The current diagnosis is other disc "
            "displacement, lumbar region.",
            ("other disc displacement, lumbar region",),
        ),
        (
            "The worker is a 30 year old female who has filed a claim for neck, low back and "
            "shoulder pain reportedly associated with an injury of May 2, 2016.",
            ("neck, low back and shoulder pain",),
        ),
    ],
)
def test_diagnoses_keep_the_summary_wording(summary, diagnoses):
    assert read_letter(_letter_with_summary(summary)).case.diagnoses == diagnoses


# --- 2013-15 layout --------------------------------------------------------------------------


def test_page_cited_letter():
    det = _read(PAGES)
    assert det.dwc_case_number is None
    assert "dwc_case_number" not in det.to_json() and "letter_dates" not in det.to_json()
    assert (det.case.age, det.case.sex, det.case.date_of_injury) == (52, "male", "2013-03-03")
    assert det.case.diagnoses == ("neck pain", "cervical radiculitis", "shoulder impingement")
    first, second = det.items
    assert (first.service, first.quantity, first.decision) == ("CHIROPRACTIC CARE X8", 8, "Upheld")
    ca = first.claims_administrator_citations[0]
    assert (ca.guideline, ca.mtus, ca.pages, ca.topic) == (
        "MTUS CPMTG",
        True,
        "58-59",
        "Manual Therapy & Manipulation",
    )
    assert second.decision == "Overturned" and second.medically_necessary
    assert second.claims_administrator_citations == ()
    rv = second.reviewer_citations[0]
    assert (rv.guideline, rv.mtus, rv.edition, rv.chapter, rv.pages, rv.topic) == (
        "ACOEM",
        False,
        "2nd Edition (2004)",
        "9",
        "209",
        None,
    )


# --- JSON shape ------------------------------------------------------------------------------


def test_to_json_shape():
    out = _read(SECTIONS).to_json()
    assert list(out) == ["dwc_case_number", "letter_dates", "case", "items"]
    assert list(out["case"]) == ["age", "sex", "date_of_injury", "diagnoses"]
    item = out["items"][0]
    assert list(item) == [
        "heading", "service", "quantity", "decision", "medically_necessary",
        "claims_administrator_citations", "reviewer_citations", "rationale_text",
    ]  # fmt: skip
    assert list(item["reviewer_citations"][0]) == [
        "text", "mtus", "guideline", "topic", "pages", "edition", "chapter", "sections",
    ]  # fmt: skip
    json.dumps(out)  # plain JSON values only


@pytest.mark.parametrize("letter", sorted(DATA.glob("*.txt")), ids=lambda p: p.stem)
def test_from_json_is_the_inverse_of_to_json(letter):
    determination = _read(letter)
    reading = json.loads(json.dumps(determination.to_json()))  # as stored: lists, not tuples
    assert Determination.from_json(reading) == determination
    assert json.dumps(Determination.from_json(reading).to_json()) == json.dumps(
        reading
    )  # key order too


def test_from_json_covers_every_optional_key():
    # The round trip above only means something if the letters use the keys to_json may leave out.
    readings = [_read(p).to_json() for p in sorted(DATA.glob("*.txt"))]
    items = [i for r in readings for i in r["items"]]
    assert any("letter_dates" in r and "dwc_case_number" in r for r in readings)
    assert any("letter_dates" not in r for r in readings)
    assert any("partial_certification" in i for i in items) and any(
        "quantity_unit" in i for i in items
    )
    assert any("note" in i["partial_certification"] for i in items if "partial_certification" in i)


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["items"][0].update(
            reviewer_citation=r["items"][0].pop("reviewer_citations")
        ),  # misspelt
        lambda r: r["items"][0].update(
            medically_necessary=not r["items"][0]["medically_necessary"]
        ),
        lambda r: r["items"][0]["reviewer_citations"][0].pop("pages"),  # missing
        lambda r: r.update(dwc_case_number=None),  # to_json leaves it out, never writes null
        lambda r: r.update(
            letter_dates={"date_assigned": None, "decision_date": None, "ur_denial_date": None}
        ),
    ],
    ids=[
        "misspelt-key",
        "necessity-against-decision",
        "missing-key",
        "null-optional",
        "empty-header",
    ],
)
def test_from_json_refuses_what_to_json_would_not_write(change):
    reading = _read(SECTIONS).to_json()
    change(reading)
    with pytest.raises(ValueError):
        Determination.from_json(reading)


def test_from_json_round_trips_the_hand_checked_readings():
    dev = _shared_dev()
    readings = sorted(dev.glob("dev-*.json"))
    assert len(readings) == 25
    for path in readings:
        reading = json.loads(path.read_text(encoding="utf-8"))
        # `source` and `anomalies` are the hand-checker's notes on the letter, not part of a
        # reading.
        reading.pop("source", None)
        reading.pop("anomalies", None)
        # Compared apart from the assert, so a failure names the file and never prints the letter.
        same = json.dumps(Determination.from_json(reading).to_json()) == json.dumps(reading)
        assert same, path.name


# --- quantity --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("Tramadol 50mg #60", (60, None)),
        ("PHYSICAL THERAPY X6", (6, None)),
        ("Physical therapy x6", (6, None)),
        ("Physical therapy 2 times 8", (16, None)),
        ("Physical therapy 1 times 6 for the head", (6, None)),
        ("Chiropractic three times a week for two weeks", (6, None)),
        ("Acupuncture two times a week times six weeks", (12, None)),
        ("Home aide 4 hours per day, 3 times a week for 2 weeks", (6, None)),
        ("Urine drug screen QTY: 2", (2, None)),
        ("Eight (8) physical therapy sessions", (8, None)),
        ("Occupational therapy for six sessions", (6, None)),
        ("two sessions for the neck and three sessions for the wrist", (5, None)),
        ("One container of a compounded cream", (1, None)),
        ("Lidocaine ointment 5% 50.5gm", (50.5, "grams")),
        ("Compound cream 120grams #1", (1, None)),
        ("Physical therapy 2-3 times a week for 4-6 weeks", (None, None)),
        ("Cold therapy unit 30 day rental", (None, None)),
        ("one month supply of a capsule", (None, None)),
        ("MRI of the lumbar spine", (None, None)),
        ("x-ray of the knee", (None, None)),
        # upper case, number words without a digit, and signs beyond ASCII read the same
        ("PHYSICAL THERAPY TWELVE VISITS", (12, None)),
        ("Chiropractic TWO TIMES A WEEK FOR FOUR WEEKS", (8, None)),
        ("Physical therapy two to three times a week", (None, None)),
        ("PT ×6", (6, None)),
        ("Hot packs ONE (1) CONTAINER", (1, None)),
        ("Gel 30 ML", (30, "ml")),
    ],
)
def test_parse_quantity(service, expected):
    assert parse_quantity(service) == expected


# --- bytes, files, PDFs, errors --------------------------------------------------------------


def test_bytes_in_utf8_and_cp1252_read_the_same():
    # A typographic apostrophe: encodable in both, decoded back to the same character.
    text = SECTIONS.read_text(encoding="utf-8").replace("with a home", "with the patient’s home")
    expected = read_letter(text).to_json()
    assert read_letter_bytes(text.encode("utf-8")).to_json() == expected
    assert read_letter_bytes(text.encode("cp1252")).to_json() == expected
    accented = text.replace("tendinitis", "tendinitis°")
    diagnoses = read_letter_bytes(accented.encode("cp1252")).case.diagnoses
    assert diagnoses[1] == "right wrist tendinitis°"


def _pdf_of(text: str, path: Path) -> Path:
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Courier", size=9)
    for line in text.split("\n"):
        pdf.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))
    return path


@pytest.mark.parametrize("letter", [SECTIONS, PARTIAL, PAGES], ids=lambda p: p.stem)
def test_pdf_reads_like_its_text(tmp_path, letter):
    pdf = _pdf_of(letter.read_text(encoding="utf-8"), tmp_path / "letter.bin")
    assert read_letter_file(pdf).to_json() == read_letter_file(letter).to_json()


def test_pdf_without_text_layer(tmp_path):
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    with pytest.raises(LetterError) as err:
        read_letter_bytes(bytes(pdf.output()))
    assert err.value.kind == "no_text_layer"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"Dear reviewer, this is a note about lunch.", "not_a_letter"),
        (b"%PDF-1.4 garbage that is no pdf", "unreadable_pdf"),
        (b"x" * (5 * 1024 * 1024 + 1), "too_large"),
    ],
)
def test_unreadable_inputs(data, kind):
    with pytest.raises(LetterError) as err:
        read_letter_bytes(data)
    assert err.value.kind == kind


def test_error_messages_never_quote_the_letter():
    secret = "Zebulon-Quartz-4471"
    text = f"CLINICAL CASE SUMMARY\nThe worker {secret} has pain.\n"
    with pytest.raises(LetterError) as err:
        read_letter(text)
    assert secret not in str(err.value) and secret not in err.value.message


def test_missing_file_is_a_letter_error(tmp_path):
    with pytest.raises(LetterError) as err:
        read_letter_file(tmp_path / "absent.txt")
    assert err.value.kind == "unreadable_file"


# --- robustness and speed --------------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        ": Upheld", ": Overturned", "Upheld", "\n", "\n\n", " was the original request. ",
        "Claims Administrator guideline:", "MAXIMUS guideline:", "Decision rationale:",
        "Decision based on MTUS ", "Decision based on Non-MTUS Citation ", ", and ",
        "Section(s): ", "Page(s): ", " 2004", "#60", " times ",
        "IMR ISSUES, DECISIONS AND RATIONALES",
        "CLINICAL CASE SUMMARY", "Date of Injury: 13/45/2016", "diagnosed with ", "-",
        " and Other Medical Treatment Guidelines ", "Official Disability Guidelines (ODG)",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=40), _FRAGMENTS), max_size=60).map("".join))
def test_any_text_gives_a_determination_or_letter_error(text):
    try:
        det = read_letter(text)
    except LetterError:
        return
    assert isinstance(det, Determination)
    json.dumps(det.to_json())


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.binary(max_size=2000), st.binary(max_size=500).map(lambda b: b"%PDF-1.7\n" + b))
)
def test_any_bytes_give_a_determination_or_letter_error(data):
    try:
        assert isinstance(read_letter_bytes(data), Determination)
    except LetterError:
        pass


def test_two_megabyte_letter_reads_fast():
    text = SECTIONS.read_text(encoding="utf-8")
    filler = "The synthetic record repeats this sentence about pain and function. " * 12 + "\n"
    head, tail = text.split("IMR ISSUES, DECISIONS AND RATIONALES")
    issues = "\nIMR ISSUES, DECISIONS AND RATIONALES"
    padded = head + filler * (2_000_000 // len(filler)) + issues + tail
    assert len(padded) >= 2_000_000
    # CPU time, not wall time (a busy machine does not inflate it), and a bound far above the
    # ~0.1 s it takes: this guards against a regular expression gone quadratic, not a speed
    started = time.process_time()
    det = read_letter(padded)
    elapsed = time.process_time() - started
    assert len(det.items) == 4
    assert elapsed < 20, f"2 MB letter took {elapsed:.2f} s of CPU"


def test_pathological_guideline_line_stays_fast():
    line = "Claims Administrator guideline: Decision based on MTUS " + "Low Back, and " * 20000
    text = f"Pain Cream #1: Upheld\n{line}\nDecision rationale: no.\n"
    started = time.process_time()
    read_letter(text)
    assert time.process_time() - started < 20  # CPU time: a backtracking guard, not a speed


# --- the real dev letters (shared fixtures), when present ------------------------------------


def _shared_dev() -> Path:
    dev = SHARED / "dev"
    if not dev.is_dir():
        pytest.skip(f"shared letter fixtures not found at {SHARED}")
    return dev


def test_every_dev_letter_reads_and_the_item_totals_match_the_readme():
    dev = _shared_dev()
    decisions = [i.decision for t in sorted(dev.glob("dev-*.txt")) for i in _read(t).items]
    assert len(decisions) == 266
    assert decisions.count("Upheld") == 258 and decisions.count("Overturned") == 8


def test_dev_readings_match_on_the_evaluated_fields():
    dev = _shared_dev()
    for reading in sorted(dev.glob("dev-*.json")):
        expected = json.loads(reading.read_text(encoding="utf-8"))
        got = _read(reading.with_suffix(".txt")).to_json()
        assert len(got["items"]) == len(expected["items"]), reading.name
        for g, e in zip(got["items"], expected["items"], strict=True):
            for key in ("service", "quantity", "decision", "medically_necessary"):
                assert g[key] == e[key], (reading.name, key)
