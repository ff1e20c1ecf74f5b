"""kg.resolve.service: the words of a service that say where (body regions) and how (topical,
retrospective, post-operative), whatever their case or spelling. Region patterns and these cues are
searched only in texts holding one of their cue letters, so each spelling is read here once."""

from __future__ import annotations

import pytest

from kg.index import GuidelineIndex
from kg.resolve.service import body_regions, read_service

UPPER = ("Shoulder", "Elbow", "ForearmWristHand")


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        pytest.param("MRI of the C-Spine", ("Neck",), id="hyphenated"),
        pytest.param("MRI CSPINE", ("Neck",), id="run-together-upper-case"),
        pytest.param("x-rays of the mid back", ("ThoracicSpine", "LowBack"), id="two-regions"),
        pytest.param("Shoulders arthroscopy, SLAP repair", ("Shoulder",), id="plural"),
        pytest.param("injection for Epicondylitis", ("Elbow",), id="word-prefix"),
        pytest.param("ORIF radial head", ("Elbow", "Head"), id="phrase-and-word"),
        pytest.param("Meniscectomy", ("Knee",), id="prefix-at-start"),
        pytest.param("EMG of the Upper Extremities", UPPER, id="referred-limb"),
        pytest.param("PT for the RUE and sciatic pain", (*UPPER, "LowBack"), id="referred-abbr"),
        pytest.param("cyclobenzaprine 10mg #60", (), id="none"),
        pytest.param("backache", (), id="no-word-boundary"),
        pytest.param("ſhoulder injection", ("Shoulder",), id="beyond-ascii-case-folding"),
    ],
)
def test_body_regions_read_every_spelling(text: str, regions: tuple[str, ...]) -> None:
    assert body_regions(text) == regions


def test_a_bare_limb_is_not_a_named_region() -> None:
    assert body_regions("EMG of the legs", referred=False) == ()


@pytest.mark.parametrize(
    ("text", "topical", "retrospective", "postoperative"),
    [
        pytest.param("Ketoprofen 20% in Lipoderm", True, False, False, id="percent"),
        pytest.param("Lidoderm PATCHES", True, False, False, id="upper-case-cue"),
        pytest.param("diclofenac roll-on", True, False, False, id="roll-on"),
        pytest.param("Retro: Terocin lotion", True, True, False, id="retro"),
        pytest.param("Tramadol, DOS 3/1/2020", False, True, False, id="date-of-service-abbr"),
        pytest.param("Post-Op physical therapy", False, False, True, id="post-op"),
        pytest.param("Associated surgical service: cold therapy", False, False, True, id="assoc"),
        pytest.param(
            "Associated surgical service: pre-op labs", False, False, False, id="assoc-pre-op"
        ),
        pytest.param("Naproxen 550mg #60", False, False, False, id="none"),
    ],
)
def test_service_cues(
    mini_index: GuidelineIndex, text: str, topical: bool, retrospective: bool, postoperative: bool
) -> None:
    reading = read_service(text, mini_index)
    assert (reading.topical, reading.retrospective, reading.postoperative) == (
        topical,
        retrospective,
        postoperative,
    )
