"""What a speed change must not change: the answers to distinct traffic and the letters' findings.

`python -m bench.answers OUT.json [--count N]` writes, for N distinct requests of bench/traffic.py
(seed 7) and every letter of the dev folder (else the test letters), a digest of each
answer as `resolve --json` gives it and of each letter's audit findings. Run it before and after a
change and compare the two files (`python -m bench.answers --compare A.json B.json`): a change made
for speed alone leaves them equal. Only digests are written: no request or letter content
(letters carry personal health information) reaches the file.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

import orjson

from bench import distinct, inproc
from bench.traffic import distinct_requests
from kg.resolve import CachedResolver


def dump(out: Path, count: int) -> None:
    from kg.audit import audit
    from kg.letters import read_letter

    index, _ = inproc.load_shipped(Path(tempfile.mkdtemp(prefix="guideline-kg-answers-")))
    letters = inproc.letters_folder()
    traffic = distinct_requests(index, letters, count=count, seed=7)
    resolver = CachedResolver(index)
    answers = [_digest([s.to_json() for s in resolver.resolve(r.request)]) for r in traffic]
    findings = [
        _digest([f.to_json() for f in audit(read_letter(t), index, resolver=CachedResolver(index))])
        for t in distinct.letter_texts(letters)
    ]
    out.write_bytes(orjson.dumps({"answers": answers, "findings": findings}))


def _digest(value: object) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


def compare(a: Path, b: Path) -> int:
    left, right = orjson.loads(a.read_bytes()), orjson.loads(b.read_bytes())
    differ = 0
    for kind in ("answers", "findings"):
        pairs = list(zip(left[kind], right[kind], strict=True))
        changed = [n for n, (x, y) in enumerate(pairs) if x != y]
        differ += len(changed)
        print(f"{kind}: {len(pairs)} compared, {len(changed)} differ: {changed[:20]}")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        parser.error("give OUT or --compare A B")
    dump(args.out, args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
