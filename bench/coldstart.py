"""Row 5: cold start to the first answered request, with the start-up cache and without it.

`guideline-kg serve` (one worker) timed from process start until /healthz answers 200, and
`guideline-kg resolve` for one service timed as a whole process. "Without" runs each get a fresh,
empty GUIDELINE_KG_CACHE_DIR, so they parse the Turtle files and build the index; "with" runs
share one cache written beforehand.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from bench import servers
from bench.common import Row, median
from loadtest.server import free_port, serve_command

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
