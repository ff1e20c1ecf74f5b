"""Draw the tuning / checking split of the dev letters once (issue 14, part 1).

Every letter id ("dev-001" ... "dev-133") gets the key
sha256("guideline-kg/issue-14/split/v1:" + id). The letters are split in two strata: the 25 with
a hand-checked reading (dev-NNN.json beside the text) and the 108 without. Inside each stratum
the letters are sorted by key and the first ceil(n/2) go to the tuning half, the rest to the
checking half. Nothing about a letter's content enters the draw, so the split cannot be steered
by what the resolver gets right.

Usage: python eval/make_split.py [--letters DIR] > eval/split.tsv. The committed eval/split.tsv is
the split; rerunning this writes the same file (tests/test_evidence_split.py checks that).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SALT = "guideline-kg/issue-14/split/v1:"
CASE_NUMBER = re.compile(r"Case Number:\s*(CM\d{2}-\d{7})")
HEADER = """\
# Tuning / checking split of the 133 dev letters (../shared/fixtures/letters/dev), drawn once.
# How: key = sha256("{salt}" + letter id) in hex; two strata, the 25
# letters with a hand-checked reading (dev-NNN.json) and the 108 without; inside each stratum
# sorted by key, the first ceil(n/2) are "tuning", the rest "checking" (hand-checked: 13 tuning /
# 12 checking; the others 54 / 54).
# case_number is the letter's DWC case number (its header), the number evidence rows cite as source.
# Regenerate with: python eval/make_split.py > eval/split.tsv (same output every time).
# Rules, aliases and ranking evidence come from tuning letters only; the checking half is the
# figure that counts (issue 14).
"""


def key(letter: str) -> str:
    return hashlib.sha256((SALT + letter).encode()).hexdigest()


def draw(letter_ids: list[str], hand_checked: set[str]) -> dict[str, str]:
    halves: dict[str, str] = {}
    for stratum in (
        [i for i in letter_ids if i in hand_checked],
        [i for i in letter_ids if i not in hand_checked],
    ):
        ordered = sorted(stratum, key=key)
        cut = (len(ordered) + 1) // 2
        for n, letter in enumerate(ordered):
            halves[letter] = "tuning" if n < cut else "checking"
    return halves


def render(halves: dict[str, str], hand_checked: set[str], cases: dict[str, str]) -> str:
    lines = [HEADER.format(salt=SALT).rstrip("\n"), "letter\tcase_number\thalf\thand_checked"]
    for letter in sorted(halves):
        checked = "yes" if letter in hand_checked else "no"
        lines.append(f"{letter}\t{cases[letter]}\t{halves[letter]}\t{checked}")
    return "\n".join(lines) + "\n"


def case_number(text: str) -> str:
    found = CASE_NUMBER.search(text)
    if not found:
        raise SystemExit("a dev letter without a Case Number header")
    return found.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--letters", type=Path, default=ROOT.parent / "shared" / "fixtures" / "letters" / "dev"
    )
    args = parser.parse_args()
    ids = sorted(p.stem for p in args.letters.glob("dev-*.txt"))
    checked = {p.stem for p in args.letters.glob("dev-*.json")}
    cases = {i: case_number((args.letters / f"{i}.txt").read_text()) for i in ids}
    sys.stdout.write(render(draw(ids, checked), checked, cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
