"""How alike the rationales of the dev letters are: pairs within one letter and across letters.

Usage: python eval/rationale_similarity.py [--letters DIR] [--at 85]

Reads every dev-NNN.txt with kg.letters.read_letter and scores every pair of non-empty item
rationales two ways: `shared`, the audit's own measure (kg.audit.copies.shared: the share of the
shorter rationale's words the other holds in the same order, rapidfuzz LCSseq), and `ratio`,
rapidfuzz's normalized Indel similarity of the two texts (fuzz.ratio), for comparison. Prints, for
pairs within one letter and for pairs of different letters, the count and the distribution
(quantiles, and the count of pairs at or above a few thresholds), then the within-letter pairs
that are not word-for-word copies and score at or above `--at` on either measure - by file and
item number only. Never prints letter text.

Pairs of different letters are written about different patients, so their upper tail is how alike
two rationales get by shared boilerplate; a near-copy threshold must sit above it, and below the
within-letter pairs that read as one paragraph with the body part swapped.
"""

from __future__ import annotations

import argparse
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from kg.audit.copies import comparable, follows_a_denied_surgery, shared  # noqa: E402
from kg.letters import read_letter_file  # noqa: E402

DEFAULT_LETTERS = ROOT.parent / "shared" / "fixtures" / "letters" / "dev"
SPLIT = ROOT / "eval" / "split.tsv"
THRESHOLDS = (50, 60, 70, 80, 85, 90, 95, 98, 100)
QUANTILES = (0.5, 0.9, 0.99, 0.999, 1.0)


def _quantile(scores: list[float], q: float) -> float:
    ordered = sorted(scores)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def _describe(name: str, scores: list[float]) -> None:
    print(f"  {name}: {len(scores)} pairs")
    if not scores:
        return
    print("    quantiles " + "  ".join(f"q{q:g}={_quantile(scores, q):.1f}" for q in QUANTILES))
    print("    at or above " + "  ".join(f"{t}:{sum(s >= t for s in scores)}" for t in THRESHOLDS))


def _halves() -> dict[str, str]:
    """dev-NNN.txt -> tuning / checking (eval/split.tsv), to show how each half behaves."""
    if not SPLIT.is_file():
        return {}
    rows = [r.split("\t") for r in SPLIT.read_text().splitlines() if r and not r.startswith("#")]
    return {f"{r[0]}.txt": r[2] for r in rows[1:]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=Path, default=DEFAULT_LETTERS)
    parser.add_argument("--at", type=float, default=85, help="list within-letter pairs from here")
    args = parser.parse_args(argv)
    rationales: list[tuple[str, int, str]] = []  # (file, item, comparable rationale)
    for path in sorted(args.letters.glob("dev-*.txt")):
        for number, item in enumerate(read_letter_file(path).items, start=1):
            if item.rationale_text:
                rationales.append((path.name, number, comparable(item.rationale_text)))
    within: list[tuple[float, float, str, int, int, bool]] = []
    across: list[tuple[float, float]] = []
    for (fa, ia, ta), (fb, ib, tb) in combinations(rationales, 2):
        scores = (shared(ta, tb), fuzz.ratio(ta, tb))
        if fa == fb:
            dependent = follows_a_denied_surgery(ta) or follows_a_denied_surgery(tb)
            within.append((*scores, fa, ia, ib, dependent))
        else:
            across.append(scores)
    print(f"{len(rationales)} rationales in {len({f for f, _, _ in rationales})} letters")
    for k, measure in enumerate(("shared (the audit's measure)", "ratio (for comparison)")):
        print(measure)
        _describe("within one letter", [w[k] for w in within])
        _describe("across letters", [a[k] for a in across])
    exact = sum(1 for w in within if w[1] == 100)
    dependent = sum(1 for w in within if w[5])
    print(f"within-letter word-for-word copies: {exact} pairs; {dependent} pairs involve a")
    print("rationale that only follows a denied surgery (not a copy, see kg.audit.copies)")
    halves = _halves()
    print(f"within-letter pairs, not word for word, at or above {args.at:g}:  shared  ratio")
    for s, r, name, a, b, _ in sorted(within, reverse=True):
        if r < 100 and max(s, r) >= args.at:
            half = halves.get(name, "")
            print(f"  {name} items {a} and {b}: {s:5.1f}  {r:5.1f}  {half}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
