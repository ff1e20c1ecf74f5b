"""A bounded load run against `guideline-kg serve` on loopback: resolve, lookups and compare.

    .venv/bin/python loadtest/run.py                 # 60 s, 2 workers, the shipped graph
    .venv/bin/python loadtest/run.py --seconds 8 --json result.json

Starts the server on a free 127.0.0.1 port (or uses --url, which must be a loopback address),
warms it up, then keeps --concurrency requests in flight for --seconds (and on, until
--min-requests were sent) and stops by itself. Reports requests held, errors, p50/p99 latency per
query kind and the resident memory (summed VmRSS of the worker processes, from /proc) after warm-up
and at the end. Exits 1 when there was an error, no request succeeded, a p99 above its bound, or
memory growth of 10 % or more; 2 on bad arguments. With --no-judge the p99s and the memory growth
are reported, not judged (exit 1 only for errors or no success): the test suite's smoke run
(tests/test_reliability.py::test_short_load), since latency on a machine busy with other work
says nothing about the server; `make soak` judges them.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

if __package__ in (None, ""):  # run as a script: make `loadtest` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.server import Server, rss_kib  # noqa: E402

MAX_GROWTH = 0.10  # memory growth from after warm-up to the end that fails the run
P99_MS = {  # bound on each kind's 99th percentile latency, in ms
    "resolve": 500,
    "resolve_batch": 1500,
    "treatments": 500,
    "section": 500,
    "documents": 500,
    "compare": 500,
}
MIX = {
    "resolve": 40,
    "resolve_batch": 5,
    "treatments": 20,
    "section": 15,
    "documents": 5,
    "compare": 15,
}

RESOLVE = """query($input: ResolveInput!) { resolve(input: $input) { __typename
  ... on ResolveSuccess { services { request outcome quantity governing { text pages guideline }
      criteria { id status } } }
  ... on InvalidInput { message field } } }"""
TREATMENTS = """query($s: String) { treatments(search: $s, first: 10) { totalCount
  edges { node { id label kind } } } }"""
SECTION = """query($id: ID!) { section(id: $id) { id title recommendation
  pages addresses { id label } criteria { id text } } }"""
DOCUMENTS = """query($d: Date) { documents(asOf: $d) { id label isMtus mtusLabel } }"""
COMPARE = """query($t: ID!, $d: Date!) { compare(treatment: $t, asOf: $d) { asOf outcome
  governing { text } guidance { __typename } } }"""
IDS = """{ treatments(first: 100) { edges { node { id } } }
  sections(first: 100) { edges { node { id } } } }"""

SERVICES = [
    "PHYSICAL THERAPY X6",
    "physical therapy 2x3 lumbar",
    "Chiropractic x8",
    "Acupuncture x6",
    "Flexeril 7.5mg #60",
    "Cyclobenzaprine 10mg #30",
    "Norco 10/325mg #90",
    "Tramadol 50mg #60",
    "Naproxen 550mg #60",
    "Omeprazole 20mg #30",
    "Gabapentin 600mg #90",
    "Lidoderm patch #30",
    "MRI lumbar spine",
    "MRI of the cervical spine",
    "EMG/NCV bilateral lower extremities",
    "Lumbar epidural steroid injection L4-5",
    "TENS unit purchase",
    "Functional restoration program",
    "Aquatic therapy x12",
    "Massage therapy x6",
    "Home exercise kit",
    "Trigger point injections x4",
    "Urine drug screen",
    "Psychological evaluation",
    "Cognitive behavioral therapy x6",
    "Knee arthroscopy",
    "Post-operative physical therapy x12",
    "Shoulder MRI",
    "Ketoprofen cream",
    "quantum healing crystals",
]
DIAGNOSES = [
    ["M54.5"],
    ["low back pain"],
    ["M54.2", "neck pain"],
    ["M75.1"],
    ["S83.2"],
    ["M79.7"],
    ["lumbar radiculopathy"],
    ["724.2"],
    ["carpal tunnel syndrome"],
    [],
]
SEARCHES = [
    "flexeril",
    "norco",
    "physical therapy",
    "acupuncture",
    "mri",
    "tens",
    "opioid",
    "injection",
    "chiro",
    "gabapentin",
    "epidural",
    "massage",
    "cbt",
    "ketoprofen",
    "lidocaine",
]


# Request dates: one a year, so the resolver's bounded memos (kg/resolve/memo.py) can hold the whole
# workload after the warm-up sweep and memory growth afterwards means a leak, not a cache filling.
DATES = [
    f"{year}-{(year * 7) % 12 + 1:02d}-{(year * 11) % 28 + 1:02d}" for year in range(2009, 2025)
]


@dataclass
class Workload:
    treatment_ids: list[str]
    section_ids: list[str]
    rng: random.Random

    def pick_kind(self) -> str:
        return self.rng.choices(list(MIX), weights=list(MIX.values()))[0]

    def request(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        if kind in ("resolve", "resolve_batch"):
            n = 1 if kind == "resolve" else 10
            services = [{"text": rng.choice(SERVICES)} for _ in range(n)]
            return {
                "query": RESOLVE,
                "variables": {
                    "input": {
                        "date": rng.choice(DATES),
                        "diagnoses": rng.choice(DIAGNOSES),
                        "services": services,
                    }
                },
            }
        if kind == "treatments":
            return {"query": TREATMENTS, "variables": {"s": rng.choice(SEARCHES)}}
        if kind == "section":
            return {"query": SECTION, "variables": {"id": rng.choice(self.section_ids)}}
        if kind == "documents":
            return {"query": DOCUMENTS, "variables": {"d": rng.choice(DATES)}}
        return {
            "query": COMPARE,
            "variables": {"t": rng.choice(self.treatment_ids), "d": rng.choice(DATES)},
        }

    def sweep(self) -> list[dict[str, Any]]:
        """Every question the timed phase can ask, batched: what the warm-up sends before memory is
        measured."""
        asks: list[dict[str, Any]] = []
        for day in DATES:
            for dx in DIAGNOSES:
                services = [{"text": text} for text in SERVICES]
                asks.append(
                    {
                        "query": RESOLVE,
                        "variables": {
                            "input": {"date": day, "diagnoses": dx, "services": services}
                        },
                    }
                )
            asks.append({"query": DOCUMENTS, "variables": {"d": day}})
            for start in range(0, len(self.treatment_ids), 40):
                chunk = self.treatment_ids[start : start + 40]
                fields = " ".join(
                    f'c{i}: compare(treatment: "{t}", asOf: "{day}") {{ outcome }}'
                    for i, t in enumerate(chunk)
                )
                asks.append({"query": "{ " + fields + " }", "variables": {}})
        asks += [{"query": TREATMENTS, "variables": {"s": term}} for term in SEARCHES]
        asks += [{"query": SECTION, "variables": {"id": i}} for i in self.section_ids]
        return asks


def well_formed(kind: str, body: Any) -> bool:
    """A 200 is not enough: the answer must be the data asked for, without errors."""
    if not isinstance(body, dict) or body.get("errors") or not isinstance(body.get("data"), dict):
        return False
    data = body["data"]
    if kind.startswith("resolve"):
        answer = data.get("resolve") or {}
        return (
            answer.get("__typename") == "ResolveSuccess" and len(answer.get("services") or []) >= 1
        )
    key = {
        "treatments": "treatments",
        "section": "section",
        "documents": "documents",
        "compare": "compare",
    }[kind]
    return data.get(key) is not None


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)  # the first few error descriptions (no bodies)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{kind}: {what}")


async def one(client: httpx.AsyncClient, url: str, work: Workload, kind: str, tally: Tally) -> None:
    payload = work.request(kind)
    started = time.perf_counter()
    try:
        response = await client.post(url, json=payload)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            tally.error(kind, f"HTTP {response.status_code}")
        elif not well_formed(kind, response.json()):
            tally.error(kind, "malformed or errors in the answer")
        else:
            tally.latencies[kind].append(elapsed)
    except (httpx.HTTPError, ValueError) as exc:
        tally.error(kind, type(exc).__name__)


async def drive(
    base: str, work: Workload, seconds: float, concurrency: int, min_requests: int = 0
) -> Tally:
    """Keep `concurrency` requests in flight for `seconds`, and on until `min_requests` were sent: a
    count that does not depend on how fast the machine is (a smoke run's checks need enough of each
    kind)."""
    tally = Tally()
    url = f"{base}/graphql"
    stop_at = time.monotonic() + seconds
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def loop() -> None:
            nonlocal sent
            while time.monotonic() < stop_at or sent < min_requests:
                sent += 1
                await one(client, url, work, work.pick_kind(), tally)

        await asyncio.gather(*(loop() for _ in range(concurrency)))
    return tally


async def warm_up(base: str, work: Workload, concurrency: int) -> int:
    """Send the sweep (each question once); returns how many requests failed."""
    asks = work.sweep()
    failed = 0
    async with httpx.AsyncClient(timeout=60) as client:
        semaphore = asyncio.Semaphore(concurrency)

        async def send(ask: dict[str, Any]) -> None:
            nonlocal failed
            async with semaphore:
                response = await client.post(f"{base}/graphql", json=ask)
                body = response.json()
                failed += response.status_code != 200 or bool(body.get("errors"))

        await asyncio.gather(*(send(a) for a in asks))
    return failed


def discover(base: str) -> tuple[list[str], list[str]]:
    body = httpx.post(f"{base}/graphql", json={"query": IDS}, timeout=30).json()
    treatments = [e["node"]["id"] for e in body["data"]["treatments"]["edges"]]
    sections = [e["node"]["id"] for e in body["data"]["sections"]["edges"]]
    if not treatments or not sections:
        raise RuntimeError("the graph has no treatments or sections to ask about")
    return treatments, sections


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def summarise(
    tally: Tally,
    seconds: float,
    rss_start: int,
    rss_end: int,
    rss_boot: int,
    workers: int,
    judged: bool = True,
) -> dict[str, Any]:
    """The report. `faults` (errors, nothing answered) fail any run; `missed` (a p99 above its
    bound, memory growth) fail a judged one. `failures` is what failed this run, `passed` that
    nothing did."""
    kinds = {}
    faults: list[str] = []
    missed: list[str] = []
    for kind in MIX:
        values = tally.latencies.get(kind, [])
        p99 = percentile(values, 99)
        kinds[kind] = {
            "ok": len(values),
            "errors": tally.errors.get(kind, 0),
            "p50_ms": round(percentile(values, 50), 1),
            "p99_ms": round(p99, 1),
            "p99_bound_ms": P99_MS[kind],
        }
        if values and p99 > P99_MS[kind]:
            missed.append(f"{kind}: p99 {p99:.0f} ms above {P99_MS[kind]} ms")
    ok = sum(len(v) for v in tally.latencies.values())
    errors = sum(tally.errors.values())
    growth = (rss_end - rss_start) / rss_start if rss_start else float("inf")
    if errors:
        faults.append(f"{errors} error(s): {'; '.join(tally.samples)}")
    if ok == 0:
        faults.append("no request succeeded")
    if growth >= MAX_GROWTH:
        missed.append(f"memory grew {growth:.1%} (bound {MAX_GROWTH:.0%})")
    failures = faults + missed if judged else faults
    return {
        "seconds": seconds,
        "workers": workers,
        "requests": ok + errors,
        "requests_ok": ok,
        "errors": errors,
        "throughput_rps": round((ok + errors) / seconds, 1),
        "kinds": kinds,
        "rss_kib": {"after_boot": rss_boot, "start": rss_start, "end": rss_end},
        "rss_growth_pct": round(growth * 100, 2),
        "judged": judged,
        "faults": faults,
        "missed": missed,
        "failures": failures,
        "passed": not failures,
    }


def print_report(result: dict[str, Any], out: Callable[[str], None] = print) -> None:
    out(
        f"{result['seconds']:.0f} s, {result['workers']} worker(s): {result['requests']} requests "
        f"({result['throughput_rps']}/s), {result['errors']} error(s)"
    )
    out(f"{'kind':<14}{'ok':>8}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'bound':>8}")
    for kind, k in result["kinds"].items():
        out(
            f"{kind:<14}{k['ok']:>8}{k['errors']:>8}{k['p50_ms']:>9}{k['p99_ms']:>9}{k['p99_bound_ms']:>8}"
        )
    rss = result["rss_kib"]
    out(
        f"resident memory (workers): {rss['after_boot'] / 1024:.1f} MiB after boot, "
        f"{rss['start'] / 1024:.1f} MiB "
        f"after warm-up, {rss['end'] / 1024:.1f} MiB at the end: {result['rss_growth_pct']:+.2f} %"
    )
    if not result["judged"] and result["missed"]:
        out("missed, not judged (--no-judge): " + "; ".join(result["missed"]))
    out("PASS" if result["passed"] else "FAIL: " + "; ".join(result["failures"]))


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="how long to drive load (default 60)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="requests kept in flight (default 8)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="uvicorn workers to start (default 2)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="serve this data folder (default: shipped)"
    )
    parser.add_argument(
        "--url", default=None, help="use a running server (loopback only) instead of starting one"
    )
    parser.add_argument(
        "--pids", default="", help="with --url: comma-separated worker PIDs to measure"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=1.0,
        help="seconds of random load after the sweep, before memory is measured",
    )
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the result as JSON here"
    )
    parser.add_argument(
        "--log", type=Path, default=None, help="the server's stdout/stderr (default: discarded)"
    )
    parser.add_argument(
        "--min-requests",
        type=int,
        default=0,
        help="go on past --seconds until this many requests were sent (default 0)",
    )
    parser.add_argument(
        "--no-judge",
        action="store_true",
        help="report p99s and memory growth without failing on them (exit 1 only for errors)",
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.seconds > 600 or args.concurrency < 1 or args.concurrency > 256:
        parser.error("--seconds must be in (0, 600] and --concurrency in [1, 256]")
    if not 0 <= args.min_requests <= 1_000_000:
        parser.error("--min-requests must be in [0, 1000000]")
    if args.url and not _loopback(args.url):
        parser.error("--url must be a loopback address (127.0.0.0/8, ::1 or localhost)")

    server = None
    if args.url:
        base = args.url.rstrip("/")
        pids = [int(p) for p in args.pids.split(",") if p.strip()]

        def rss() -> int:
            return sum(rss_kib(p) for p in pids)
    else:
        server = Server(workers=args.workers, data_dir=args.data_dir, log=args.log)
        base = server.base
        rss = server.rss_kib
    try:
        rss_boot = rss()
        treatments, sections = discover(base)
        work = Workload(treatments, sections, random.Random(args.seed))
        if asyncio.run(warm_up(base, work, args.concurrency)):  # fill the memos and caches ...
            raise RuntimeError("the warm-up sweep had errors")
        asyncio.run(
            drive(base, work, args.warmup, args.concurrency)
        )  # ... and the parser and validation caches
        rss_start = rss()
        started = time.monotonic()
        tally = asyncio.run(drive(base, work, args.seconds, args.concurrency, args.min_requests))
        elapsed = time.monotonic() - started
        rss_end = rss()
    finally:
        if server is not None:
            server.stop()
    result = summarise(
        tally,
        elapsed,
        rss_start,
        rss_end,
        rss_boot,
        args.workers if server else len(pids),
        judged=not args.no_judge,
    )
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
