"""Audit finding counts over the dev letters, per kind, and the change against an earlier run.

Usage: python eval/audit_counts.py [--letters DIR] [--save FILE] [--compare FILE] [--list KIND]
       [--half tuning|checking]

Reads every dev-NNN.txt with kg.letters.read_letter, audits it with kg.audit.audit (one
CachedResolver for the run, as `guideline-kg audit` does) and prints the number of findings and
of letters with a finding, per kind. `--save` writes the per-letter (file, item, kind) triples as
JSON; `--compare` prints the counts of an earlier saved run beside this one and the triples that
came or went. `--list KIND` prints the (file, item) of every finding of that kind, for reading
the letters. Prints only file names, item numbers and kinds - never letter text or evidence.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import load_index  # noqa: E402
from kg.audit import audit  # noqa: E402
from kg.letters import read_letter_file  # noqa: E402
from kg.resolve import CachedResolver  # noqa: E402

DEFAULT_LETTERS = ROOT.parent / "shared" / "fixtures" / "letters" / "dev"
SPLIT = ROOT / "eval" / "split.tsv"

Triple = tuple[str, int, str]


def _half(name: str) -> set[str]:
    """The letters (dev-NNN.txt) of one half of eval/split.tsv."""
    rows = [r.split("\t") for r in SPLIT.read_text().splitlines() if r and not r.startswith("#")]
    return {f"{r[0]}.txt" for r in rows[1:] if r[2] == name}


def findings(letters: Path, only: set[str] | None = None) -> list[Triple]:
    index = load_index()
    resolver = CachedResolver(index)
    out: list[Triple] = []
    for path in sorted(letters.glob("dev-*.txt")):
        if only is not None and path.name not in only:
            continue
        for f in audit(read_letter_file(path), index, resolver=resolver):
            out.append((path.name, f.item, f.kind))
    return out


def _table(now: list[Triple], before: list[Triple] | None) -> str:
    kinds = sorted({k for _, _, k in now} | {k for _, _, k in before or []})
    count = Counter(k for _, _, k in now)
    letters = Counter(k for k, _ in {(k, f) for f, _, k in now})
    old = Counter(k for _, _, k in before or [])
    old_letters = Counter(k for k, _ in {(k, f) for f, _, k in before or []})
    head = f"{'kind':32} {'findings':>9} {'letters':>8}"
    if before is not None:
        head += f" {'before':>7} {'letters':>8}"
    rows = [head]
    for kind in kinds:
        row = f"{kind:32} {count[kind]:9} {letters[kind]:8}"
        if before is not None:
            row += f" {old[kind]:7} {old_letters[kind]:8}"
        rows.append(row)
    total = f"{'all':32} {len(now):9} {len({f for f, _, _ in now}):8}"
    if before is not None:
        total += f" {len(before):7} {len({f for f, _, _ in before}):8}"
    return "\n".join([*rows, total])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=Path, default=DEFAULT_LETTERS)
    parser.add_argument("--save", type=Path, help="write this run's (file, item, kind) as JSON")
    parser.add_argument("--compare", type=Path, help="an earlier --save to compare with")
    parser.add_argument("--list", metavar="KIND", help="print where findings of KIND are")
    parser.add_argument("--half", choices=("tuning", "checking"), help="one half of the split")
    args = parser.parse_args(argv)
    only = _half(args.half) if args.half else None
    now = findings(args.letters, only)
    before = None
    if args.compare:
        before = [tuple(t) for t in json.loads(args.compare.read_text())]
        before = [t for t in before if only is None or t[0] in only]
    count = len([p for p in args.letters.glob("dev-*.txt") if only is None or p.name in only])
    print(f"{count} letters" + (f" ({args.half} half)" if args.half else ""))
    print(_table(now, before))
    if before is not None:
        gone = sorted(set(before) - set(now))
        came = sorted(set(now) - set(before))
        print(f"\ngone ({len(gone)}):", *(f"  {f} item {i} {k}" for f, i, k in gone), sep="\n")
        print(f"\nnew ({len(came)}):", *(f"  {f} item {i} {k}" for f, i, k in came), sep="\n")
    if args.list:
        print(*(f"{f} item {i}" for f, i, k in now if k == args.list), sep="\n")
    if args.save:
        args.save.write_text(json.dumps(now))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
