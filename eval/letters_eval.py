"""Field accuracy of kg.letters.read_letter against the hand-checked letter readings.

Usage: python eval/letters_eval.py [--letters DIR] [--json] [--min 0.97] [--where]

Compares, per letter with a reading (dev/dev-NNN.json, and the seed letter): case fields (age,
sex, date_of_injury, diagnoses), the item count, and per matched item the service, quantity,
decision, medically_necessary and the ordered guideline labels of both citation lines. Also
reads the text-only letters as a sanity check (README: 266 items in all 133 letters).
Prints only file names, field names and figures - never letter text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from kg.errors import LetterError  # noqa: E402
from kg.letters import read_letter  # noqa: E402

DEFAULT_LETTERS = ROOT.parent / "shared" / "fixtures" / "letters"
CASE_FIELDS = ("age", "sex", "date_of_injury", "diagnoses")
ITEM_FIELDS = (
    "service",
    "quantity",
    "decision",
    "medically_necessary",
    "claims_administrator_guidelines",
    "reviewer_guidelines",
)


def _labels(citations: list[dict[str, Any]]) -> list[str | None]:
    return [c.get("guideline") for c in citations]


def _item_value(item: dict[str, Any], name: str) -> Any:
    if name == "claims_administrator_guidelines":
        return _labels(item.get("claims_administrator_citations", []))
    if name == "reviewer_guidelines":
        return _labels(item.get("reviewer_citations", []))
    return item.get(name)


def _align(expected: list[dict], got: list[dict]) -> list[tuple[dict, dict | None]]:
    """Pair items in order; when the counts differ, pair each expected item with the most
    similar unused reading that comes after the previous match."""
    if len(expected) == len(got):
        return list(zip(expected, got, strict=True))
    pairs: list[tuple[dict, dict | None]] = []
    nxt = 0
    for exp in expected:
        best, best_score = None, 0.0
        for j in range(nxt, len(got)):
            score = fuzz.ratio(exp.get("service", ""), got[j].get("service", ""))
            if score > best_score:
                best, best_score = j, score
        if best is not None and best_score >= 60:
            pairs.append((exp, got[best]))
            nxt = best + 1
        else:
            pairs.append((exp, None))
    return pairs


def _letters_with_readings(letters: Path) -> list[tuple[Path, Path]]:
    pairs = [(j.with_suffix(".txt"), j) for j in sorted((letters / "dev").glob("dev-*.json"))]
    seed = letters / "imr-2014-lumbar-four-items.json"
    if seed.exists():
        pairs.append((seed.with_suffix(".txt"), seed))
    return [(t, j) for t, j in pairs if t.exists()]


def evaluate(letters: Path) -> dict[str, Any]:
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    where: list[str] = []

    def score(field: str, ok: bool, place: str) -> None:
        total[field] += 1
        right[field] += ok
        if not ok:
            where.append(f"{place}: {field}")

    pairs = _letters_with_readings(letters)
    for txt, js in pairs:
        expected = json.loads(js.read_text(encoding="utf-8"))
        try:
            got = read_letter(txt.read_text(encoding="utf-8")).to_json()
        except LetterError as exc:
            got = {"case": {}, "items": []}
            where.append(f"{txt.name}: LetterError {exc.kind}")
        for f in CASE_FIELDS:
            score(f, got["case"].get(f) == expected["case"].get(f), txt.name)
        score("item_count", len(got["items"]) == len(expected["items"]), txt.name)
        for n, (exp, item) in enumerate(_align(expected["items"], got["items"]), 1):
            for f in ITEM_FIELDS:
                ok = item is not None and _item_value(item, f) == _item_value(exp, f)
                score(f, ok, f"{txt.name} item {n}")
    fields = {f: {"right": right[f], "total": total[f], "accuracy": right[f] / total[f]}
              for f in total}  # fmt: skip
    overall = sum(right.values()) / max(1, sum(total.values()))
    return {"letters": len(pairs), "fields": fields, "overall": overall, "mismatches": where}


def sanity(letters: Path) -> dict[str, Any]:
    """Read the letters without readings: how many read, how many items and decisions."""
    readings = {j.stem for j in (letters / "dev").glob("dev-*.json")}
    read = failed = items = 0
    decisions: dict[str, int] = defaultdict(int)
    all_items = 0
    for txt in sorted((letters / "dev").glob("dev-*.txt")):
        try:
            det = read_letter(txt.read_text(encoding="utf-8"))
        except LetterError:
            failed += txt.stem not in readings
            continue
        all_items += len(det.items)
        for it in det.items:
            decisions[it.decision] += 1
        if txt.stem not in readings:
            read += 1
            items += len(det.items)
    return {
        "text_only_read": read,
        "text_only_failed": failed,
        "text_only_items": items,
        "all_letters_items": all_items,
        "all_letters_decisions": dict(decisions),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--letters", type=Path, default=DEFAULT_LETTERS)
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--min", type=float, default=None, help="exit 1 when overall is below")
    ap.add_argument("--where", action="store_true", help="list mismatching letter/item/field")
    args = ap.parse_args(argv)
    if not (args.letters / "dev").is_dir():
        print(f"shared fixtures not found at {args.letters}; nothing to evaluate")
        return 0
    result = evaluate(args.letters)
    result["sanity"] = sanity(args.letters)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"letters with readings: {result['letters']}")
        print(f"{'field':34} {'right':>6} {'total':>6} {'accuracy':>9}")
        for name, f in result["fields"].items():
            print(f"{name:34} {f['right']:>6} {f['total']:>6} {f['accuracy']:>9.3f}")
        print(f"{'overall':34} {'':>6} {'':>6} {result['overall']:>9.3f}")
        s = result["sanity"]
        print(
            f"text-only letters read: {s['text_only_read']} (failed {s['text_only_failed']}), "
            f"items {s['text_only_items']}; all letters: {s['all_letters_items']} items "
            f"{s['all_letters_decisions']} (README: 266 items, 258 Upheld, 8 Overturned)"
        )
        if args.where:
            for w in result["mismatches"]:
                print("  mismatch", w)
    if args.min is not None and result["overall"] < args.min:
        print(f"overall {result['overall']:.3f} below --min {args.min}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
