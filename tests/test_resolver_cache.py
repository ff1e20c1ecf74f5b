"""The resolver flows one way and keeps nothing: a caller that wants answers kept holds a
CachedResolver, which answers exactly what the pipeline answers, on any date, from any thread,
and leaves the index as it was built."""

from __future__ import annotations

import gc
import pickle
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import kg
from kg.audit import audit
from kg.index import GuidelineIndex
from kg.letters import read_letter
from kg.resolve import CachedResolver, ResolveRequest, resolve
from tests.conftest import DATA, MINI_GRAPH

TEST_LETTERS = DATA / "letters"

SERVICES = [
    "PHYSICAL THERAPY X6",
    "Flexeril 7.5mg #60",
    "Ketoprofen 20% cream",
    "Norco 10/325 #60",
    "MRI of the lumbar spine",
    "Acupuncture x6",
    "spine surgery consult",
    "cmpd flurbiprofen/cyclobenzaprine cream",
    "TENS unit",
    "qwertyuiop",
    "muscle relaxants",
    "Lumbar ESI L4-5",
]
DATES = [
    date(2008, 1, 2) + timedelta(days=211 * n) for n in range(32)
]  # 2008 to 2026, across every adoption


def requests() -> list[ResolveRequest]:
    return [
        ResolveRequest.parse(
            on=on,
            services=[{"text": s} for s in SERVICES],
            diagnoses=["M54.16", "myalgia"],
            facts={"date_of_injury": "2007-10-01"},
            today=date(2026, 12, 1),
        )
        for on in DATES
    ]


def test_the_cached_resolver_answers_what_the_pipeline_answers(index: GuidelineIndex) -> None:
    cached = CachedResolver(index)
    for request in requests():
        expected = resolve(request, index)
        assert cached.resolve(request) == expected  # kept ...
        assert cached.resolve(request) == expected  # ... and handed back


def test_the_cached_resolver_is_safe_under_threads(index: GuidelineIndex) -> None:
    cached = CachedResolver(index)
    asked = requests() * 4
    expected = [resolve(r, index) for r in asked]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(cached.resolve, asked)) == expected


def test_resolving_leaves_the_index_as_it_was_built(mini_index: GuidelineIndex) -> None:
    before = pickle.dumps(mini_index)
    attributes = set(vars(mini_index))
    request = ResolveRequest.parse(
        on="2013-12-10", services=[{"text": "PT x6"}], diagnoses=["M54.5"], today=date(2026, 1, 1)
    )
    resolve(request, mini_index)
    CachedResolver(mini_index).resolve(request)
    assert set(vars(mini_index)) == attributes and pickle.dumps(mini_index) == before


def test_an_index_let_go_is_collected_with_what_the_resolver_read_from_it() -> None:
    """The tables the steps read from an index once (kg.per_index) go with it: a reloaded graph
    does not keep the old one alive."""
    index = kg.load_index(MINI_GRAPH, use_cache=False)
    for request in requests()[::8]:
        resolve(request, index)
        CachedResolver(index).resolve(request)
    for path in sorted(TEST_LETTERS.glob("*.txt")):  # the audit's citation matcher keeps tables too
        audit(read_letter(path.read_text(encoding="utf-8")), index)
    collected = weakref.ref(index)
    del index, request
    gc.collect()
    assert collected() is None
