"""The benchmark's quick subset (rows 1, 2, 5b, 6 and 8 on a graph twice the size) meets its
targets: `python bench/run.py --quick` exits 0. About a minute; deselect with -m 'not bench'."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def quick_bench(out: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert out.exists(), done.stderr[-3000:]
    return done, json.loads(out.read_text())


@pytest.mark.bench
def test_the_quick_benchmark_meets_its_targets(tmp_path: Path) -> None:
    done, report = quick_bench(tmp_path / "bench.json")
    if done.returncode != 0 and not any(r["error"] for r in report["rows"]):
        # A ratio missed, nothing broke. The machine is shared: a burst of other work can land on
        # one side of a ratio. A target missed twice in a row is a real miss.
        done, report = quick_bench(tmp_path / "again.json")
    missed = [f"{r['id']} {r['name']}: {r['ratio']} (target {r['target']}) {r['error'] or ''}"
              for r in report["rows"] if r["passed"] is False]
    assert done.returncode == 0, "\n".join([done.stdout[-3000:], *missed])
    assert {r["id"] for r in report["rows"]} >= {"1", "2", "5b", "6a", "6b", "8"}
