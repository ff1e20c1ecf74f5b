"""Structured readings of the 133 dev letters, for the resolver evaluation (issue 14, part 1).

Each letter is read with `guideline-kg parse --json`; where a hand-checked reading exists
(../shared/fixtures/letters/dev/dev-NNN.json) it takes precedence. Only structured fields are
kept: the DWC case number, the letter dates, the diagnoses as the case summary lists them (the
resolver is scored on the diagnoses as letters write them), and per item the service, quantity,
decision and the citations as fields (guideline, topic, sections, edition, chapter, pages). No
rationale, summary, heading or citation sentence: letters carry health information, and the
evaluation needs none of it.

`READER_CHECKED` names the letters whose reading the reader was unsure of (an item without a
reviewer citation, a citation to a source outside the graph, a cited section the graph does not
know, an item count that disagrees with the decision lines, a service that differs from its
heading) and that were checked by hand against the letter; `CORRECTIONS` holds the fixes those
checks found, as (letter, item index, field, value).

Usage: python eval/make_readings.py [--letters DIR] (writes eval/readings/dev-NNN.json).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "eval" / "readings"
CITATION_FIELDS = ("guideline", "mtus", "topic", "sections", "edition", "chapter", "pages")
# Checked by hand against the letter text: every flagged item was read
# right, so CORRECTIONS is empty; the flags were the ancillaries of a surgery with no citation
# (dev-106, dev-113), "Other Medical Treatment Guidelines" (dev-073), an ODG citation that does
# not name ODG (dev-096) and a bare section number "326" (dev-057).
READER_CHECKED = ("dev-057", "dev-073", "dev-096", "dev-106", "dev-113")
CORRECTIONS: tuple[tuple[str, int, str, Any], ...] = ()


def parsed(letters: Path) -> dict[str, dict]:
    """`guideline-kg parse DIR --json`, one reading per letter id."""
    out = subprocess.run(
        [sys.executable, "-m", "guideline_kg", "parse", str(letters), "--json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    readings = (json.loads(line) for line in out.splitlines() if line.strip())
    return {Path(r["file"]).stem: r for r in readings}


def structured(letter: str, reading: dict, source: str) -> dict:
    dates = reading.get("letter_dates") or {}
    return {
        "letter": letter,
        "dwc_case_number": reading.get("dwc_case_number"),
        "reading": source,
        "letter_dates": {
            k: dates.get(k) for k in ("date_assigned", "decision_date", "ur_denial_date")
        },
        "diagnoses": list((reading.get("case") or {}).get("diagnoses") or []),
        "items": [_item(i) for i in reading["items"]],
    }


def _item(item: dict) -> dict:
    out = {
        "service": item["service"],
        "quantity": item.get("quantity"),
        "decision": item.get("decision"),
        "medically_necessary": item.get("medically_necessary"),
        "claims_administrator_citations": [
            _citation(c) for c in item.get("claims_administrator_citations") or []
        ],
        "reviewer_citations": [_citation(c) for c in item.get("reviewer_citations") or []],
    }
    if item.get("quantity_unit"):
        out["quantity_unit"] = item["quantity_unit"]
    return out


def _citation(citation: dict) -> dict:
    return {k: citation.get(k) for k in CITATION_FIELDS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--letters", type=Path, default=ROOT.parent / "shared" / "fixtures" / "letters" / "dev"
    )
    args = parser.parse_args()
    by_reader = parsed(args.letters)
    OUT.mkdir(exist_ok=True)
    for letter in sorted(by_reader):
        checked = args.letters / f"{letter}.json"
        if checked.exists():
            reading = structured(letter, json.loads(checked.read_text()), "hand-checked fixture")
        else:
            source = "reader, checked by hand" if letter in READER_CHECKED else "reader"
            reading = structured(letter, by_reader[letter], source)
        for name, index, field, value in CORRECTIONS:
            if name == letter:
                reading["items"][index][field] = value
        path = OUT / f"{letter}.json"
        path.write_text(json.dumps(reading, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(by_reader)} readings written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
