"""How often does the resolver agree with the IMR reviewers of the dev letters?

For every item of the structured readings of the 133 dev letters (eval/readings, made by
eval/make_readings.py), resolve the service text with the case's diagnoses on the UR date, and
compare with the reviewer's citations:

  family@1   the governing citation has the guideline label of one the reviewer cited
  section@1  ... and is a section the reviewer cited
  section@3  a section the reviewer cited is among the first three candidates

The figures are given for the tuning half and the checking half of eval/split.tsv (issue 14: the
checking half is the figure that counts; nothing is tuned on it), and for the hand-checked
readings as before (the 25 dev letters with a dev-NNN.json and the seed letter, when
../shared/fixtures/letters is present). Items the reviewer decided without citing a guideline of
the graph (nothing cited, or only "Other" sources) are counted apart.

Usage: python eval/resolver_eval.py [--json] [--check] [--misses tuning|checking|hand-checked]
(--check: exit 1 when the checking half is below a floor of issue 14).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import load_index  # noqa: E402
from kg.citations import match_citation  # noqa: E402
from kg.resolve import ResolveRequest, resolve  # noqa: E402

READINGS = ROOT / "eval" / "readings"
SPLIT = ROOT / "eval" / "split.tsv"
FLOORS = {"family@1": 0.75, "section@1": 0.55, "section@3": 0.70}
GROUPS = ("tuning", "checking", "hand-checked")
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


def split_halves(path: Path = SPLIT) -> dict[str, str]:
    """letter id -> "tuning" | "checking", from eval/split.tsv."""
    halves: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("#") or line.startswith("letter\t") or not line.strip():
            continue
        letter, _case, half, *_ = line.split("\t")
        halves[letter] = half
    return halves


def sections_only_from_checking_letters(index) -> set[str]:
    """Sections whose only letter evidence (case numbers in cited_in_letters or source) is
    checking-half letters: kept as evidence that the section exists (issue 14), counted here."""
    halves = split_halves()
    checking = {
        r["dwc_case_number"]
        for p in READINGS.glob("dev-*.json")
        if halves.get(p.stem) == "checking"
        for r in [json.loads(p.read_text())]
    }
    found = set()
    for section in index.sections.values():
        evidence = (*section.cited_in, *section.provenance.sources)
        cases = {c for raw in evidence for c in re.findall(r"CM1\d-\d{7}", raw)}
        if cases and cases <= checking:
            found.add(section.id)
    return found


def readings(letters: Path | None) -> list[tuple[str, tuple[str, ...], dict]]:
    """(letter, groups it counts in, reading) for every committed reading and the seed letter."""
    halves = split_halves()
    found = []
    for path in sorted(READINGS.glob("dev-*.json")):
        reading = json.loads(path.read_text())
        groups = (halves[path.stem],)
        if reading.get("reading") == "hand-checked fixture":
            groups += ("hand-checked",)
        found.append((path.stem, groups, reading))
    seed = letters / "imr-2014-lumbar-four-items.json" if letters else None
    if seed and seed.exists():
        found.append((seed.stem, ("hand-checked",), json.loads(seed.read_text())))
    return found


def evaluate(letters: Path | None) -> dict:
    index = load_index()
    rows: list[dict] = []
    skipped = dict.fromkeys(GROUPS, 0)
    started = time.perf_counter()
    for name, groups, reading in readings(letters):
        on = (reading.get("letter_dates") or {}).get("ur_denial_date") or SEED_DATE
        diagnoses = reading.get("diagnoses") or (reading.get("case") or {}).get("diagnoses") or []
        items = reading["items"]
        # issue 3: service text, diagnoses and UR date only
        request = ResolveRequest.parse(
            on=on,
            services=[i["service"] for i in items],
            diagnoses=diagnoses,
            facts={},
            today=date.today(),
        )
        for item, result in zip(items, resolve(request, index), strict=True):
            cited = [c for c in item["reviewer_citations"] if c.get("guideline") in GRAPH_LABELS]
            if not cited:
                for group in groups:
                    skipped[group] += 1
                continue
            rows.append({**_score(name, item, result, cited, index), "groups": list(groups)})
    only_checking = sections_only_from_checking_letters(index)
    return {
        "sections_only_from_checking_letters": len(only_checking),
        "checking_hits_on_those_sections": sum(
            1
            for r in rows
            if "checking" in r["groups"] and r["section@1"] and r["governing_id"] in only_checking
        ),
        "groups": {g: _summary([r for r in rows if g in r["groups"]], skipped[g]) for g in GROUPS},
        "floors": FLOORS,
        "counts": "checking",
        "seconds": round(time.perf_counter() - started, 2),
        "rows": rows,
    }


def _summary(rows: list[dict], skipped: int) -> dict:
    n = len(rows)
    return {
        "items": n,
        "items_without_graph_citation": skipped,
        "scores": {
            k: round(sum(r[k] for r in rows) / n, 3) if n else 0.0
            for k in ("family@1", "section@1", "section@3")
        },
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
        "governing_id": governing.section_id if governing else None,
        "reviewer": [_cited(c) for c in cited],
        "family@1": int(bool(governing) and governing.guideline in {c["guideline"] for c in cited}),
        "section@1": int(bool(governing) and governing.section_id in cited_sections),
        "section@3": int(bool(set(top) & cited_sections)),
    }


def _cited(citation: dict) -> str:
    parts = (citation.get("guideline"), citation.get("topic"), citation.get("sections"))
    return " / ".join(p for p in parts if p)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--letters", type=Path, default=ROOT.parent / "shared" / "fixtures" / "letters"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the checking half is below a floor"
    )
    parser.add_argument(
        "--misses", choices=GROUPS, help="list the items of one group that miss section@1"
    )
    args = parser.parse_args()
    report = evaluate(args.letters if args.letters.is_dir() else None)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"resolver vs reviewers, {report['seconds']} s (the checking half counts)")
        print(f"  {'group':<13} {'items':>5} {'apart':>5}  family@1  section@1  section@3")
        for group, summary in report["groups"].items():
            s = summary["scores"]
            print(
                f"  {group:<13} {summary['items']:>5} {summary['items_without_graph_citation']:>5}"
                f"  {s['family@1']:>8.3f}  {s['section@1']:>9.3f}  {s['section@3']:>9.3f}"
            )
        floors = "  ".join(f"{k} {v:.2f}" for k, v in FLOORS.items())
        print(f"  floors (checking half): {floors}")
        print(
            f"  sections whose only letter evidence is checking letters: "
            f"{report['sections_only_from_checking_letters']} (checking section@1 hits on them: "
            f"{report['checking_hits_on_those_sections']})"
        )
        if args.misses:
            for row in report["rows"]:
                if args.misses in row["groups"] and not row["section@1"]:
                    print(
                        f"- {row['letter']}: {row['service']!r}\n    got: {row['governing']}\n    "
                        f"reviewer: {row['reviewer']}"
                    )
    checking = report["groups"]["checking"]["scores"]
    below = [k for k, v in checking.items() if v < FLOORS[k]]
    return 1 if args.check and below else 0


if __name__ == "__main__":
    sys.exit(main())
