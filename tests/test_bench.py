"""The benchmark's quick subset (rows 1, 2, 5b, 6 and 8 on a graph twice the size) meets its
targets: `python bench/run.py --quick` exits 0. About a minute; deselect with -m 'not bench'."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.bench
def test_the_quick_benchmark_meets_its_targets(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(out.read_text()) if out.exists() else None
    assert report is not None, done.stderr[-3000:]
    missed = [f"{r['id']} {r['name']}: {r['ratio']} (target {r['target']}) {r['error'] or ''}"
              for r in report["rows"] if r["passed"] is False]
    assert done.returncode == 0, "\n".join([done.stdout[-3000:], *missed])
    assert {r["id"] for r in report["rows"]} >= {"1", "2", "5b", "6a", "6b", "8"}
