"""How often does the resolver agree with the IMR reviewers of the dev letters?

For every item of the hand-checked readings (../shared/fixtures/letters/dev/*.json and the seed
letter), resolve the service text with the case's diagnoses and date of injury on the UR date,
and compare with the reviewer's citations:

  family@1   the governing citation has the guideline label of one the reviewer cited
  section@1  ... and is a section the reviewer cited
  section@3  a section the reviewer cited is among the first three candidates

Items the reviewer decided without citing a guideline of the graph (nothing cited, or only
"Other" sources) are counted apart. Usage: python eval/resolver_eval.py [--letters DIR] [--json]
[--check] (exit 1 below the floors of issue 3).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import load_index  # noqa: E402
from kg.citations import match_citation  # noqa: E402
from kg.resolve import ResolveRequest, resolve  # noqa: E402

FLOORS = {"family@1": 0.75, "section@1": 0.55, "section@3": 0.75}
# The seed letter is abridged (no header): issue 3 names its request date.
SEED_DATE = "2013-12-10"
GRAPH_LABELS = {
    "MTUS CPMTG",
    "MTUS ACOEM",
    "MTUS Acupuncture",
    "MTUS Post-Surgical",
    "MTUS Opioids",
    "MTUS Drug Formulary",
    "ACOEM",
    "ODG",
}


def readings(letters: Path) -> list[tuple[str, dict]]:
    found = [
        (p.stem, json.loads(p.read_text())) for p in sorted((letters / "dev").glob("dev-*.json"))
    ]
    seed = letters / "imr-2014-lumbar-four-items.json"
    if seed.exists():
        found.append((seed.stem, json.loads(seed.read_text())))
    return found


def evaluate(letters: Path) -> dict:
    index = load_index()
    rows, counts, skipped = [], {"family@1": 0, "section@1": 0, "section@3": 0}, 0
    started = time.perf_counter()
    for name, reading in readings(letters):
        on = (reading.get("letter_dates") or {}).get("ur_denial_date") or SEED_DATE
        case = reading.get("case") or {}
        facts: dict = {}  # issue 3: service text, diagnoses and UR date only
        items = reading["items"]
        request = ResolveRequest.parse(
            on=on,
            services=[i["service"] for i in items],
            diagnoses=case.get("diagnoses") or [],
            facts=facts,
            today=date.today(),
        )
        for item, result in zip(items, resolve(request, index)):
            cited = [c for c in item["reviewer_citations"] if c.get("guideline") in GRAPH_LABELS]
            if not cited:
                skipped += 1
                continue
            row = _score(name, item, result, cited, index)
            rows.append(row)
            for key in counts:
                counts[key] += row[key]
    n = len(rows)
    return {
        "items": n,
        "items_without_graph_citation": skipped,
        "scores": {k: round(v / n, 3) if n else 0.0 for k, v in counts.items()},
        "floors": FLOORS,
        "seconds": round(time.perf_counter() - started, 2),
        "rows": rows,
    }


def _score(name: str, item: dict, result, cited: list[dict], index) -> dict:
    cited_sections = set()
    for c in cited:
        match = match_citation(
            c.get("guideline"),
            c.get("topic"),
            c.get("sections"),
            c.get("pages"),
            c.get("edition"),
            index,
            c.get("chapter"),
        )
        cited_sections |= set(match.section_ids)
        if not match.section_ids and not match.unmatched:
            # The reviewer cited a whole document ("MTUS Acupuncture Treatment 2007"): any of its
            # sections agrees.
            cited_sections |= {
                s for d in match.document_ids for s in index.sections_by_document.get(d, ())
            }
    top = [c.section_id for c in result.candidates[:3]]
    governing = result.governing
    return {
        "letter": name,
        "service": item["service"],
        "outcome": result.outcome.value,
        "governing": governing.text if governing else None,
        "reviewer": [c["text"] for c in cited],
        "family@1": int(bool(governing) and governing.guideline in {c["guideline"] for c in cited}),
        "section@1": int(bool(governing) and governing.section_id in cited_sections),
        "section@3": int(bool(set(top) & cited_sections)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--letters", type=Path, default=ROOT.parent / "shared" / "fixtures" / "letters"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a score is below its floor"
    )
    parser.add_argument("--misses", action="store_true", help="list the items that miss section@1")
    args = parser.parse_args()
    if not (args.letters / "dev").is_dir():
        print(f"shared fixtures not found at {args.letters}; nothing to evaluate")
        return 0
    report = evaluate(args.letters)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"items scored: {report['items']} (without a graph citation: "
            f"{report['items_without_graph_citation']}); "
            f"{report['seconds']} s"
        )
        for key, value in report["scores"].items():
            print(f"  {key:<10} {value:.3f}  (floor {FLOORS[key]:.2f})")
        if args.misses:
            for row in report["rows"]:
                if not row["section@1"]:
                    print(
                        f"- {row['letter']}: {row['service']!r}\n    got: {row['governing']}\n    "
                        f"reviewer: {row['reviewer']}"
                    )
    below = [k for k, v in report["scores"].items() if v < FLOORS[k]]
    return 1 if args.check and below else 0


if __name__ == "__main__":
    sys.exit(main())
