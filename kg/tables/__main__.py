"""`python -m kg.tables [--check] [--tables DIR] [--data-dir DIR]`: compile the tables to Turtle.

Exit 0 when the tables compiled (and, with --check, the Turtle is up to date); 1 with the row
errors (file:line:column: message), one a line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kg.load import load_ontology
from kg.tables import DATA_DIR, TABLES_DIR, compile_tables, stale_files, vocabulary, write


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kg.tables", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--tables", type=Path, default=TABLES_DIR, help="folder of the TSV tables")
    parser.add_argument(
        "--data-dir", type=Path, default=DATA_DIR, help="folder of the Turtle files"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail when the Turtle is stale"
    )
    args = parser.parse_args(argv)
    result = compile_tables(args.tables, vocabulary(load_ontology()))
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.errors:
        return 1
    if args.check:
        stale = stale_files(result, args.data_dir)
        for line in stale:
            print(line, file=sys.stderr)
        return 1 if stale else 0
    for path in write(result, args.data_dir):
        print(f"wrote {path}")
    rows = ", ".join(f"{name} {count}" for name, count in result.rows.items())
    print(
        f"{sum(result.rows.values())} rows ({rows}); {result.expanded} nodes from inheritance rows"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
