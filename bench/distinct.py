"""Rows on traffic that does not repeat (issue 15), measured in this process.

9a-9d: `kg.resolve` of 2,000 distinct requests (bench/traffic.py) through a resolver that has seen
none of them (a fresh CachedResolver per pass, as a server holds one), against a per-call dict
lookup; the fuzzy path and unknown services against alias hits of the same run. 6c: a letter
audited against the same letter parsed. 8b-8d: the same figures on the generated graph against
the shipped one. Figure and floor alternate in chunks of CHUNK calls, so both see the same machine.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import Row, median, percentile
from bench.traffic import Request
from kg.index import GuidelineIndex
from kg.resolve import CachedResolver

CHUNK = 50


@dataclass
class Samples:
    """Per-call times (ns) of one run, by the kind of request, and of its floor."""

    by_kind: dict[str, list[int]] = field(default_factory=dict)
    cpu: list[int] = field(default_factory=list)  # the same calls' thread CPU time
    floor: list[int] = field(default_factory=list)

    @property
    def all(self) -> list[int]:
        return [t for times in self.by_kind.values() for t in times]

    def kind(self, name: str) -> list[int]:
        return self.by_kind.get(name, [])


def _timed(call: Callable[[], Any]) -> int:
    clock = time.perf_counter_ns
    start = clock()
    call()
    return clock() - start


def resolve_distinct(
    indexes: list[GuidelineIndex], traffic: list[Request], passes: int, floor: bool = True
) -> list[Samples]:
    """Each request once per pass through a fresh resolver of each index, in chunks alternating
    between the indexes and (with `floor`) a per-call dict lookup of a section."""
    out = [Samples() for _ in indexes]
    rng = random.Random(15)
    ids = sorted(indexes[0].sections)
    keys = [rng.choice(ids) for _ in range(CHUNK)]
    sections = indexes[0].sections
    clock, cpu = time.perf_counter_ns, time.thread_time_ns
    for n in range(passes):
        resolvers = [CachedResolver(index).resolve for index in indexes]
        order = list(traffic)
        random.Random(n).shuffle(order)
        for start in range(0, len(order), CHUNK):
            chunk = order[start : start + CHUNK]
            turn = list(enumerate(resolvers))
            if (start // CHUNK) % 2:
                turn.reverse()
            for i, resolve in turn:
                samples = out[i]
                for r in chunk:  # timed inline, as the floor is: no call between clock and call
                    request = r.request
                    started, started_cpu = clock(), cpu()
                    resolve(request)
                    used = cpu() - started_cpu
                    samples.by_kind.setdefault(r.kind, []).append(clock() - started)
                    samples.cpu.append(used)
            if floor:
                append = out[0].floor.append
                for key in keys:
                    started = clock()
                    sections[key]
                    append(clock() - started)
    return out


def rows_distinct(index: GuidelineIndex, traffic: list[Request], passes: int) -> list[Row]:
    s = resolve_distinct([index], traffic, passes)[0]
    every = s.all
    mid, p99 = median(every), percentile(every, 99)  # wall clock
    counts = {k: len(v) // passes for k, v in s.by_kind.items()}
    alias = median(s.kind("alias"))
    rows = [
        Row(
            "9a",
            f"kg.resolve, {len(traffic):,} distinct requests, median",
            mid,
            "ns",
            floor=median(s.floor),
            floor_name="dict lookup of a section, timed per call",
            details={
                "passes": passes,
                "requests_by_kind": counts,
                "p90_ns": percentile(every, 90),
                "max_ns": max(every),
                "median_by_kind_ns": {k: median(v) for k, v in s.by_kind.items()},
            },
        ).judge(300),
        Row(
            "9b",
            "kg.resolve, distinct requests, p99 (CPU time)",
            percentile(s.cpu, 99),
            "ns",
            floor=median(s.cpu),
            floor_name="its own median (CPU time)",
            details={"wall_p99_ns": p99, "wall_p99_to_median": p99 / mid},
        ).judge(10),
        Row(
            "9c",
            f"kg.resolve, misspelled service (fuzzy path, {counts.get('fuzzy', 0)}), median",
            median(s.kind("fuzzy")),
            "ns",
            floor=alias,
            floor_name="alias hits of the same traffic, median",
            details={"p99_ns": percentile(s.kind("fuzzy"), 99)},
        ).judge(5),
        Row(
            "9d",
            f"kg.resolve, unknown service ({counts.get('unknown', 0)}), median",
            median(s.kind("unknown")),
            "ns",
            floor=alias,
            floor_name="alias hits of the same traffic, median",
            details={"p99_ns": percentile(s.kind("unknown"), 99)},
        ).judge(5),
    ]
    return rows


def letter_times(
    indexes: list[GuidelineIndex], texts: list[str], passes: int
) -> tuple[list[int], list[list[int]]]:
    """Per letter: parse times, and audit times on each index (a fresh resolver per pass and index,
    each letter seen once per pass, as `guideline-kg audit` reads a folder); alternating."""
    from kg.audit import audit
    from kg.letters import read_letter

    parsed: list[int] = []
    audited: list[list[int]] = [[] for _ in indexes]
    for n in range(passes):
        resolvers = [CachedResolver(index) for index in indexes]
        for k, text in enumerate(texts):
            parsed.append(_timed(lambda t=text: read_letter(t)))
            determination = read_letter(text)
            turn = list(enumerate(indexes))
            if (k + n) % 2:
                turn.reverse()
            for i, index in turn:
                audited[i].append(
                    _timed(lambda d=determination, x=index, r=resolvers[i]: audit(d, x, resolver=r))
                )
    return parsed, audited


def row_audit(index: GuidelineIndex, texts: list[str], passes: int) -> Row:
    parsed, (audited,) = letter_times([index], texts, passes)
    return Row(
        "6c",
        f"letters: one letter audited, median ({len(texts)} letters)",
        median(audited),
        "ns",
        floor=median(parsed),
        floor_name="the same letters parsed, median",
        details={"passes": passes, "audit_p99_ns": percentile(audited, 99)},
    ).judge(3)


def rows_growth(
    shipped: GuidelineIndex,
    big: GuidelineIndex,
    traffic: list[Request],
    texts: list[str],
    factor: int,
    passes: int,
) -> list[Row]:
    small, large = resolve_distinct([shipped, big], traffic, passes, floor=False)
    rows = [
        Row(
            "8b",
            f"kg.resolve, distinct requests, median, graph x{factor}",
            median(large.all),
            "ns",
            floor=median(small.all),
            floor_name="same traffic, shipped graph, alternating chunks",
            details={
                "p99_ns": percentile(large.all, 99),
                "shipped_p99_ns": percentile(small.all, 99),
            },
        ).judge(1.5),
        Row(
            "8c",
            f"kg.resolve, misspelled service (fuzzy path), median, graph x{factor}",
            median(large.kind("fuzzy")),
            "ns",
            floor=median(small.kind("fuzzy")),
            floor_name="same requests, shipped graph",
            details={
                "unknown_median_ns": median(large.kind("unknown")),
                "shipped_unknown_median_ns": median(small.kind("unknown")),
            },
        ).judge(1.5),
    ]
    if texts:
        _, (on_small, on_big) = letter_times([shipped, big], texts, max(1, passes))
        rows.append(
            Row(
                "8d",
                f"letters: one letter audited, median, graph x{factor}",
                median(on_big),
                "ns",
                floor=median(on_small),
                floor_name="same letters, shipped graph, alternating",
            ).judge(1.5)
        )
    return rows


def letter_texts(folder: Path | None) -> list[str]:
    if folder is None:
        return []
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
