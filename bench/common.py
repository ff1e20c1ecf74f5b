"""What every row shares: timing, percentiles, the result row and the table."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the table: a figure, the floor it is divided by, and the target on the ratio."""

    id: str
    name: str
    figure: float | None
    unit: str
    floor: float | None = None
    floor_name: str = ""
    ratio: float | None = None
    target: str = ""  # "<= 30", ">= 0.3", "" for a figure that is only reported
    passed: bool | None = None  # None: reported, no target
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    # The verdict of judge() on the ratio alone. A row may still be failed afterwards for a fault
    # that is no figure (a wrong answer, HTTP errors): passed False while met is True tells the two
    # apart, so a run that does not judge figures (--no-judge) still fails on the fault.
    met: bool | None = None

    def judge(self, limit: float, *, at_most: bool = True, ratio: float | None = None) -> Row:
        """Set the ratio (figure / floor, unless a `ratio` measured otherwise is given) and judge
        it."""
        if ratio is not None:
            self.ratio = ratio
        elif self.figure is not None and self.floor:
            self.ratio = self.figure / self.floor
        self.target = f"{'<=' if at_most else '>='} {limit:g}"
        if (
            self.ratio is None
        ):  # nothing to divide (no figure, or a floor of zero): a fault, not a miss
            self.passed = False
            self.error = self.error or "no ratio: the figure or its floor is missing or zero"
        else:
            self.passed = self.met = self.ratio <= limit if at_most else self.ratio >= limit
        return self

    @property
    def broken(self) -> bool:
        """Failed for something other than a missed target: it crashed, measured nothing, or was
        failed although its ratio was met (a wrong answer, HTTP errors). A row failed on a wrong
        answer whose ratio was also missed counts as missed: the rows do not say more
        (bench/inproc.py, http_rows.py)."""
        return (
            bool(self.error) or self.figure is None or (self.passed is False and self.met is True)
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def failed_row(id: str, name: str, exc: BaseException, target: str = "") -> Row:
    return Row(
        id, name, None, "", target=target, passed=False, error=f"{type(exc).__name__}: {exc}"[:500]
    )


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank of already collected values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def median(values: list[float]) -> float:
    return percentile(values, 50)


def per_call_ns(calls: list[Callable[[], Any]], rounds: int) -> list[int]:
    """Each call timed on its own with perf_counter_ns, `rounds` times over the list."""
    clock = time.perf_counter_ns
    samples: list[int] = []
    append = samples.append
    for _ in range(rounds):
        for call in calls:
            start = clock()
            call()
            append(clock() - start)
    return samples


def loop_ns(call: Callable[[], Any], iterations: int) -> float:
    """Mean ns per call of a tight loop (the timer read twice in all)."""
    clock = time.perf_counter_ns
    start = clock()
    for _ in range(iterations):
        call()
    return (clock() - start) / iterations


def settle() -> None:
    """As the server does after loading: collect once, then keep the survivors out of
    collections."""
    gc.collect()
    gc.freeze()


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "ns":
        if value >= 1e9:
            return f"{value / 1e9:.2f} s"
        if value >= 1e6:
            return f"{value / 1e6:.2f} ms"
        if value >= 1e3:
            return f"{value / 1e3:.2f} us"
        return f"{value:.0f} ns"
    if unit == "s":
        return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit in ("req/s", "letters/s"):
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}".strip()


def table(rows: list[Row]) -> str:
    head = ("row", "figure", "value", "floor", "ratio", "target", "result")
    lines = []
    for r in rows:
        result = (
            "ERROR"
            if r.error
            else "FAULT"
            if r.broken
            else "pass"
            if r.passed
            else "report"
            if r.passed is None
            else "MISS"
        )
        floor = (
            f"{fmt(r.floor, r.unit)} ({r.floor_name})"
            if r.floor is not None
            else r.floor_name or "-"
        )
        ratio = "-" if r.ratio is None else f"{r.ratio:.3g}"
        lines.append((r.id, r.name, fmt(r.figure, r.unit), floor, ratio, r.target or "-", result))
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    out = ["  ".join(str(c).ljust(w) for c, w in zip(head, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)
