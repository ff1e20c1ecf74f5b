"""Every AD order that brought an ACOEM guideline into the MTUS, at the day before and the day of
its effective date, through the kg API: the guideline it adopted governs from that day, the one it
replaced the day before. Orders whose guidelines hold no topic the resolver can reach (the
respiratory guidelines) are checked as documents in force on the date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date, timedelta

import pytest

from kg.index import GuidelineIndex
from kg.load import load_graph
from kg.lookup import documents_as_of
from kg.namespaces import GL, PREFIXES
from kg.resolve import ResolveRequest, resolve

P = pytest.param
# (order's effective date, service, diagnoses, document the day before, document on the day)
ORDERS = [
    P("2017-12-01", "Lumbar MRI", ["lumbar radiculopathy"], "acoem-2004-ch12", "acoem-low-back-2016", id="2017-12-01-low-back"),
    P("2019-04-18", "Cervical MRI", ["cervical radiculopathy"], "acoem-cervical-thoracic-2016", "acoem-cervical-thoracic-2018", id="2019-04-18-cervical"),
    P("2019-04-18", "Elbow MRI", ["lateral epicondylitis"], "acoem-elbow-2013", "acoem-elbow-2018", id="2019-04-18-elbow"),
    P("2019-04-18", "Wrist splint", ["carpal tunnel syndrome"], "acoem-hand-wrist-forearm-2016", "acoem-hand-wrist-forearm-2019", id="2019-04-18-hand-wrist-forearm"),
    P("2019-04-18", "Ankle MRI", ["ankle sprain"], "acoem-ankle-foot-2015", "acoem-ankle-foot-2018", id="2019-04-18-ankle-foot"),
    P("2019-04-18", "Psychotherapy x6", ["PTSD"], "acoem-chronic-pain-2017", "acoem-ptsd-asd-2018", id="2019-04-18-ptsd-asd"),
    P("2019-08-11", "Lumbar MRI", ["lumbar radiculopathy"], "acoem-low-back-2016", "acoem-low-back-2019", id="2019-08-11-low-back"),
    P("2019-10-07", "Hip MRI", ["hip osteoarthritis"], "acoem-hip-groin-2011", "acoem-hip-groin-2019", id="2019-10-07-hip-groin"),
    P("2020-09-21", "Knee MRI", ["meniscus tear"], "acoem-knee-2015", "acoem-knee-2019", id="2020-09-21-knee"),
    P("2020-09-21", "Sertraline 50mg #30", ["major depressive disorder"], "acoem-ptsd-asd-2018", "acoem-depressive-2020", id="2020-09-21-depressive"),
    P("2021-07-19", "Cognitive behavioral therapy x6", ["generalized anxiety disorder"], "acoem-depressive-2020", "acoem-anxiety-2021", id="2021-07-19-anxiety"),
    P("2021-11-23", "Lumbar MRI", ["lumbar radiculopathy"], "acoem-low-back-2019", "acoem-low-back-2020", id="2021-11-23-low-back"),
    P("2023-08-10", "Shoulder MRI", ["rotator cuff tear"], "acoem-shoulder-2016", "acoem-shoulder-2023", id="2023-08-10-shoulder"),
    P("2023-08-10", "Functional capacity evaluation", ["low back pain"], "acoem-initial-approaches-2017", "acoem-initial-approaches-2023", id="2023-08-10-general-approaches"),
    P("2023-11-10", "Wrist splint", ["carpal tunnel syndrome"], "acoem-hand-wrist-forearm-2019", "acoem-hand-wrist-forearm-2023", id="2023-11-10-hand-wrist-forearm"),
]  # fmt: skip


def _governing(index: GuidelineIndex, on: date, service: str, diagnoses: list[str]):
    request = ResolveRequest.parse(
        on=on.isoformat(), services=[service], diagnoses=diagnoses, today=date(2026, 1, 1)
    )
    result = resolve(request, index)[0]
    assert result.outcome.value == "RESOLVED", result.problems
    return result


@pytest.mark.parametrize(("effective", "service", "diagnoses", "before", "after"), ORDERS)
def test_the_order_governs_from_its_effective_date(
    index: GuidelineIndex,
    effective: str,
    service: str,
    diagnoses: list[str],
    before: str,
    after: str,
) -> None:
    day = date.fromisoformat(effective)
    earlier = _governing(index, day - timedelta(days=1), service, diagnoses)
    assert earlier.governing.document_id == f"doc:{before}", earlier.governing.text
    result = _governing(index, day, service, diagnoses)
    governing = result.governing
    assert governing.document_id == f"doc:{after}", governing.text
    assert governing.mtus and governing.guideline == "MTUS ACOEM"
    adoption = index.adoptions_on(f"doc:{after}", day)
    assert adoption and adoption[0].effective_from == day
    assert not index.adoptions_on(f"doc:{after}", day - timedelta(days=1))


@pytest.mark.parametrize(
    ("effective", "document"),
    [
        ("2020-09-21", "acoem-asthma-2020"),
        ("2020-09-21", "acoem-ild-2019"),
        ("2021-06-28", "acoem-covid-19-2021"),
    ],
)
def test_an_order_without_reachable_topics_puts_its_guideline_in_force_on_the_day(
    index: GuidelineIndex, effective: str, document: str
) -> None:
    day = date.fromisoformat(effective)
    assert f"doc:{document}" in documents_as_of(index, day)
    assert index.adoptions_on(f"doc:{document}", day)
    assert not index.adoptions_on(f"doc:{document}", day - timedelta(days=1))


def test_the_ptsd_guideline_resolves_on_its_date_with_its_own_topics(
    index: GuidelineIndex,
) -> None:
    result = _governing(index, date(2019, 4, 18), "Xanax 1mg #60", ["F43.12"])
    governing = result.governing
    assert governing.document_id == "doc:acoem-ptsd-asd-2018"
    assert governing.section == "Benzodiazepines"
    assert governing.recommendation == "NotRecommended"
    assert governing.text == (
        "MTUS Workplace Mental Health: Post-traumatic Stress Disorder and Acute Stress Disorder "
        "2018, Section(s): Benzodiazepines"
    )
    acute = _governing(index, date(2022, 1, 3), "Trauma focused psychotherapy", ["F43.0"])
    assert acute.governing.document_id == "doc:acoem-ptsd-asd-2018"


def test_every_acoem_adoption_since_2017_names_its_order_and_a_source(
    index: GuidelineIndex,
) -> None:
    since = [
        a
        for a in index.adoptions.values()
        if a.citation_label == "MTUS ACOEM" and a.effective_from >= date(2017, 12, 1)
    ]
    assert len(since) >= 28
    for adoption in since:
        assert "AD order" in adoption.regulation, adoption.id
        assert adoption.provenance.sources, adoption.id


def test_a_version_known_only_from_its_order_is_not_counted_before_it(
    index: GuidelineIndex,
) -> None:
    """The Shoulder guideline adopted 2023-08-10 has no ACOEM date in the graph: before its order
    it is not a 'most current ACOEM' either."""
    assert "doc:acoem-shoulder-2023" not in documents_as_of(index, date(2023, 8, 9))
    assert "doc:acoem-shoulder-2023" in documents_as_of(index, date(2023, 8, 10))


def test_no_two_editions_hold_the_same_topic_as_checked_content(index: GuidelineIndex) -> None:
    """A topic that two editions of one guideline hold with the same content is either inherited
    (gl:inheritedFrom, unverified) or unverified in all but one of them."""
    inherited = {str(s) for s in load_graph().subjects(GL.inheritedFrom, None)}

    def iri(curie: str) -> str:
        prefix, local = curie.split(":", 1)
        return PREFIXES[prefix] + local

    def lineage(document_id: str) -> str:
        while index.documents[document_id].superseded_by:
            document_id = index.documents[document_id].superseded_by
        return document_id

    groups = defaultdict(list)
    for section in index.sections.values():
        content = {
            k: v
            for k, v in asdict(section).items()
            if k not in ("id", "document_id", "provenance", "cited_in", "criteria", "parent")
        }
        content["criteria"] = sorted(index.criteria[c].text for c in section.criteria)
        groups[(lineage(section.document_id), repr(sorted(content.items())))].append(section)
    for sections in groups.values():
        checked = [
            s
            for s in sections
            if iri(s.id) not in inherited and s.provenance.confidence not in ("U",)
        ]
        assert len({s.document_id for s in checked}) <= 1, [s.id for s in checked]
