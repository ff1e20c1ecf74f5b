"""`guideline-kg parse` and `guideline-kg audit`: letters from files or folders, text or PDF.

One JSON document per file and line with --json; a folder runs with a progress bar (on stderr)
and ends with a summary table. Letter text is never printed in errors: only file names and
the kind of problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from kg.errors import InputError, LetterError

LETTER_SUFFIXES = (".txt", ".pdf", ".text")


def add_parsers(sub: Any) -> None:
    for name, help_text in (("parse", "read determination letters (text or PDF)"),
                            ("audit", "audit determination letters against the graph")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("files", nargs="+", type=Path, help="letter files or folders of letters")
        p.add_argument("--json", action="store_true", help="one JSON document per file and line")
        p.add_argument("--date", help="audit: the letter's date when its header has none (YYYY-MM-DD)")
        p.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)
        p.add_argument("--ontology-dir", type=Path, default=None, help=argparse.SUPPRESS)


def letter_paths(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in LETTER_SUFFIXES and p.is_file())
        elif path.exists():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return out


def run(args: argparse.Namespace, index: Any | None) -> int:
    from kg.letters import read_letter_file

    paths = letter_paths(args.files)
    on = date.fromisoformat(args.date) if getattr(args, "date", None) else None
    summary: Counter[str] = Counter()
    failed = 0
    many = len(paths) > 1 or any(p.is_dir() for p in args.files)
    for path, reading in _progress(paths, show=many and not _is_terminal(sys.stdout)):
        try:
            determination = read_letter_file(path)
        except LetterError as exc:
            failed += 1
            _emit(args, {"file": str(path), "error": {"kind": exc.kind, "message": exc.message}})
            continue
        out = _output(args.command, path, determination, index, on, summary)
        _emit(args, out)
    if len(paths) > 1 or failed:
        _summary(summary, len(paths), failed)
    return 1 if failed and failed == len(paths) else 0


def _output(command: str, path: Path, determination: Any, index: Any, on: date | None,
            summary: Counter[str]) -> dict[str, Any]:
    reading = determination.to_json()
    summary["letters"] += 1
    for item in reading["items"]:
        summary["items"] += 1
        summary[f"decision: {item['decision']}"] += 1
        for citation in item["reviewer_citations"]:
            summary[f"reviewer cites: {citation['guideline']}"] += 1
    if command == "parse":
        return {"file": str(path), **reading}
    from kg.audit import audit

    findings = audit(reading, index, on)
    for finding in findings:
        summary[f"finding: {finding.kind}"] += 1
    return {"file": str(path), "findings": [f.to_json() for f in findings]}


def _emit(args: argparse.Namespace, out: dict[str, Any]) -> None:
    if args.json:
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    if "error" in out:
        print(f"{out['file']}: cannot read ({out['error']['kind']}): {out['error']['message']}")
    elif "findings" in out:
        print(f"{out['file']}: {len(out['findings'])} finding(s)")
        for f in out["findings"]:
            print(f"  item {f['item']} [{f['severity']}] {f['kind']}: {f['message']}")
    else:
        print(f"{out['file']}: {len(out['items'])} item(s)")
        for item in out["items"]:
            print(f"  {item['decision']:<10} {item['service']}")


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a replaced or closed stream is no terminal
        return False


def _progress(paths: list[Path], show: bool) -> Iterator[tuple[Path, None]]:
    """Each path, with a progress bar on stderr while the results go to stdout.

    rich's live display would by default take over sys.stdout and print the results on its own
    console (stderr), so `audit DIR > out.jsonl` at a terminal wrote nothing to the file: stdout
    is left alone. The bar is shown only when stdout is not the terminal too (`run` decides),
    since the bar's redraws would overwrite result lines printed between them.
    """
    if not show:
        yield from ((p, None) for p in paths)
        return
    from rich.progress import Progress

    with Progress(transient=True, console=_stderr_console(), redirect_stdout=False,
                  redirect_stderr=False) as progress:
        task = progress.add_task("letters", total=len(paths))
        for path in paths:
            yield path, None
            progress.advance(task)


def _summary(summary: Counter[str], total: int, failed: int) -> None:
    from rich.table import Table

    table = Table(title=f"{total} file(s), {failed} unreadable")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in sorted(summary):
        table.add_row(key, str(summary[key]))
    _stderr_console().print(table)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
