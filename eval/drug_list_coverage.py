"""How many common drugs have a verified MTUS Drug List status on a date (issue 16, part 2).

Prints, for each date asked (2019-06-01 and 2023-06-01 unless given), how many of the common drugs
below answer Exempt, Non-Exempt or Unlisted from an entry that is not marked U, and the standing
and confidence of every drug, so a curator sees which ones are still not known. A drug answered
NOT_KNOWN (no entry, or only an unverified one) is not counted; a drug the graph has no treatment
for is listed as such.

The list is the drug classes the dev letters request (issue 16: opioids, NSAIDs, muscle
relaxants, anticonvulsants, antidepressants, sleep aids, benzodiazepines, PPIs and H2 blockers,
antiemetics, laxatives, topical agents), one row per ingredient as the Drug List names it.

    .venv/bin/python eval/drug_list_coverage.py [--on 2019-06-01 --on 2023-06-01] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg import load_index  # noqa: E402
from kg.drug_list import Standing, drug_list_status  # noqa: E402
from kg.index import GuidelineIndex  # noqa: E402

COMMON_DRUGS: dict[str, tuple[str, ...]] = {
    "opioids": (
        "hydrocodone-acetaminophen",
        "oxycodone",
        "oxycodone-acetaminophen",
        "morphine",
        "tramadol",
        "tapentadol",
    ),
    "analgesics and NSAIDs": (
        "acetaminophen",
        "ibuprofen",
        "naproxen",
        "meloxicam",
        "diclofenac",
        "celecoxib",
        "etodolac",
        "nabumetone",
    ),
    "muscle relaxants": (
        "cyclobenzaprine",
        "tizanidine",
        "methocarbamol",
        "carisoprodol",
        "baclofen",
        "orphenadrine",
    ),
    "anticonvulsants": ("gabapentin", "pregabalin", "topiramate"),
    "antidepressants": ("duloxetine", "amitriptyline", "nortriptyline", "venlafaxine"),
    "sleep aids": ("zolpidem", "eszopiclone", "trazodone"),
    "benzodiazepines": ("alprazolam", "clonazepam", "diazepam", "lorazepam"),
    "PPIs and H2 blockers": ("omeprazole", "pantoprazole", "ranitidine", "famotidine"),
    "antiemetics": ("ondansetron", "promethazine"),
    "laxatives": ("docusate", "sennosides", "lactulose"),
    "topical agents": ("diclofenac-topical", "lidocaine-patch", "capsaicin-topical"),
}
DATES = (date(2019, 6, 1), date(2023, 6, 1))
VERIFIED = {Standing.EXEMPT, Standing.NON_EXEMPT, Standing.UNLISTED}


def coverage(index: GuidelineIndex, on: date) -> dict:
    rows = []
    for group, drugs in COMMON_DRUGS.items():
        for drug in drugs:
            answer = drug_list_status(index, f"tx:{drug}", on)
            if answer is None:
                rows.append({"group": group, "drug": drug, "standing": "NO_TREATMENT"})
                continue
            rows.append(
                {
                    "group": group,
                    "drug": drug,
                    "standing": answer.standing.value,
                    "verified": answer.standing in VERIFIED,
                    "confidence": answer.confidence,
                    "list_version": answer.list_version,
                    "entry": answer.entry_id,
                    "recorded_status": answer.recorded_status,
                }
            )
    verified = sum(1 for r in rows if r.get("verified"))
    return {"on": on.isoformat(), "verified": verified, "drugs": len(rows), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--on", action="append", type=date.fromisoformat, help="request date")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    index = load_index()
    results = [coverage(index, on) for on in (args.on or DATES)]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for result in results:
        print(
            f"{result['on']}: {result['verified']} of {result['drugs']} common drugs "
            "have a verified MTUS Drug List status"
        )
        for row in result["rows"]:
            extra = ""
            if row.get("recorded_status"):
                extra = f" (unverified entry records {row['recorded_status']})"
            conf = row.get("confidence") or ""
            print(f"  {row['group']:<22} {row['drug']:<26} {row['standing']:<12} {conf}{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
