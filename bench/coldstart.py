"""Row 5: cold start to the first answered request, with the start-up cache and without it.

`guideline-kg serve` (one worker) timed from process start until /healthz answers 200, and
`guideline-kg resolve` for one service timed as a whole process. "Without" runs each get a fresh,
empty GUIDELINE_KG_CACHE_DIR, so they parse the Turtle files and build the index; "with" runs
share one cache written beforehand.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import servers
from bench.common import ROOT, Row, median
from kg.load import DATA_DIR
from loadtest.server import free_port, rss_kib, serve_command

RESOLVE_ARGS = [
    "resolve",
    "--service",
    "Physical therapy x6",
    "--diagnosis",
    "M54.5",
    "--date",
    "2019-06-01",
    "--json",
]


def serve_once(env: dict[str, str], log: Path) -> float:
    port = free_port()
    server = servers.product(port, 1, env, log)
    try:
        server.start()
        return server.wait_healthy(timeout=180, interval=0.005)
    finally:
        server.stop()


def resolve_once(env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [*serve_command(), *RESOLVE_ARGS],
        env=env,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0 or b'"governing"' not in done.stdout:
        raise RuntimeError(
            f"guideline-kg resolve failed ({done.returncode}): {done.stderr[-500:]!r}"
        )
    return seconds


def row_coldstart(kind: str, base_env: dict[str, str], warm_cache: Path, runs: int) -> Row:
    folder = Path(tempfile.mkdtemp(prefix="guideline-kg-bench-cold-"))
    once = serve_once if kind == "serve" else resolve_once
    cached, uncached = [], []
    for n in range(runs):
        env_cold = {**base_env, "GUIDELINE_KG_CACHE_DIR": str(folder / f"empty-{n}")}
        env_warm = {**base_env, "GUIDELINE_KG_CACHE_DIR": str(warm_cache)}
        if kind == "serve":
            uncached.append(serve_once(env_cold, folder / "serve.log"))
            cached.append(serve_once(env_warm, folder / "serve.log"))
        else:
            uncached.append(once(env_cold))
            cached.append(once(env_warm))
    name = (
        "cold start: `serve` until /healthz answers, with cache"
        if kind == "serve"
        else "cold start: `guideline-kg resolve` 1 service, with cache"
    )
    row = Row(
        "5a" if kind == "serve" else "5b",
        name,
        median(cached),
        "s",
        floor=median(uncached),
        floor_name="same without the cache",
        details={"with_cache_s": cached, "without_cache_s": uncached, "runs": runs},
    )
    return row.judge(0.25)


def serve_rss_once(env: dict[str, str], log: Path) -> float:
    """MB of the largest serving process of `serve` (one worker) once /healthz answers."""
    port = free_port()
    server = servers.product(port, 1, env, log)
    try:
        server.start()
        server.wait_healthy(timeout=180, interval=0.01)
        time.sleep(0.3)  # the worker settles (gc.freeze after the load)
        return max(rss_kib(pid) for pid in server.workers()) / 1024
    finally:
        server.stop()


def row_rss_without_cache(base_env: dict[str, str], runs: int) -> Row:
    """Row 7b: a worker started without the cache (it built the index) against one started
    with it."""
    folder = Path(tempfile.mkdtemp(prefix="guideline-kg-bench-rss-"))
    cold, warm = [], []
    for n in range(runs):
        env = {**base_env, "GUIDELINE_KG_CACHE_DIR": str(folder / f"cache-{n}")}
        cold.append(serve_rss_once(env, folder / "serve.log"))  # an empty cache: builds, writes
        warm.append(serve_rss_once(env, folder / "serve.log"))  # the cache just written
    return Row(
        "7b",
        "RSS of a worker started without the cache",
        median(cold),
        "MB",
        floor=median(warm),
        floor_name="a worker started with the cache",
        details={"without_cache_mb": cold, "with_cache_mb": warm},
    ).judge(1.5)


BUILD = """
import sys, time

def peak():
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    return int(status.split()[0])

from pathlib import Path
import kg, kg.build, kg.cache, kg.load, kg.validate
start = time.perf_counter()
kg.build_from_files(Path(sys.argv[1]), check=True)
print(time.perf_counter() - start, peak())
"""


def build_once(data_dir: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak MB) of building the index from the files, checked, as a start without the
    cache does, in a process of its own (the modules imported before the clock starts). Peak is
    VmHWM: getrusage's ru_maxrss survives execve on Linux and would report this (larger) process's
    peak."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(data_dir)],
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"build failed ({done.returncode}): {done.stderr[-500:]!r}")
    seconds, kib = done.stdout.split()[-2:]
    return float(seconds), int(kib) / 1024


def rows_build(big_data: Path, factor: int, env: dict[str, str], runs: int) -> list[Row]:
    """Rows 10a-10b: building the generated graph against the shipped one, alternating."""
    small, large = [], []
    for _ in range(runs):
        small.append(build_once(DATA_DIR, env))
        large.append(build_once(big_data, env))
    details = {
        "shipped_s": [s for s, _ in small],
        "big_s": [s for s, _ in large],
        "shipped_peak_mb": [m for _, m in small],
        "big_peak_mb": [m for _, m in large],
        "factor": factor,
    }
    return [
        Row(
            "10a",
            f"build without cache, graph x{factor}, time",
            median([s for s, _ in large]),
            "s",
            floor=median([s for s, _ in small]),
            floor_name="the shipped graph",
            details=details,
        ).judge(11),
        Row(
            "10b",
            f"build without cache, graph x{factor}, peak RSS",
            median([m for _, m in large]),
            "MB",
            floor=median([m for _, m in small]),
            floor_name="the shipped graph",
        ).judge(5),
    ]
