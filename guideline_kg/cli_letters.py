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
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import InputError, LetterError

if TYPE_CHECKING:  # imported when used, so `parse` starts without the resolver
    from kg.letters import Determination
    from kg.resolve import CachedResolver

LETTER_SUFFIXES = (".txt", ".pdf", ".text")


def add_parsers(sub: Any) -> None:
    for name, help_text in (
        ("parse", "read determination letters (text or PDF)"),
        ("audit", "audit determination letters against the graph"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("files", nargs="+", type=Path, help="letter files or folders of letters")
        p.add_argument("--json", action="store_true", help="one JSON document per file and line")
        p.add_argument(
            "--date", help="audit: the letter's date when its header has none (YYYY-MM-DD)"
        )
        p.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)
        p.add_argument("--ontology-dir", type=Path, default=None, help=argparse.SUPPRESS)


def letter_paths(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p for p in path.iterdir() if p.suffix.lower() in LETTER_SUFFIXES and p.is_file()
            )
        elif path.exists():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return out


def run(args: argparse.Namespace, load_index: Callable[[], Any] | None) -> int:
    """Read (and, given `load_index`, audit) each letter; one file's problem never stops the rest.

    Exit 1 when no letter could be read, or none were found: an empty folder is a mistake worth
    saying, not an empty success.
    """
    on = _date_option(getattr(args, "date", None))
    paths = letter_paths(args.files)
    if not paths:
        raise InputError(
            f"no letters found ({', '.join(LETTER_SUFFIXES)}) in "
            f"{', '.join(str(p) for p in args.files)}"
        )
    index = load_index() if load_index else None
    # One resolver for the run: the letters of a folder ask about the same services, diagnoses and
    # dates over and over, and its kept answers are shared by all of them.
    resolver = _resolver(index) if args.command == "audit" and index is not None else None
    summary: Counter[str] = Counter()
    failed = 0
    many = len(paths) > 1 or any(p.is_dir() for p in args.files)
    for path, _ in _progress(paths, show=many and not _is_terminal(sys.stdout)):
        out = _one(args.command, path, index, resolver, on, summary)
        failed += "error" in out
        _emit(args, out)
    if len(paths) > 1 or failed:
        _summary(summary, len(paths), failed)
    return 1 if failed and failed == len(paths) else 0


def _date_option(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"--date must be a date in the form YYYY-MM-DD, got '{value[:40]}'"
        ) from None


def _one(
    command: str,
    path: Path,
    index: Any,
    resolver: CachedResolver | None,
    on: date | None,
    summary: Counter[str],
) -> dict[str, Any]:
    """One file's result line, or its typed error naming the file."""
    from kg.letters import read_letter_file

    try:
        determination = read_letter_file(path)
        findings = None if command == "parse" else _audit(determination, index, on, resolver)
    except LetterError as exc:
        return {"file": str(path), "error": {"kind": exc.kind, "message": exc.message}}
    except InputError as exc:  # the letter reads, but what it states cannot be audited
        return {"file": str(path), "error": {"kind": "cannot_audit", "message": str(exc)}}
    _count(summary, determination, findings)
    if findings is None:
        return {"file": str(path), **determination.to_json()}
    return {"file": str(path), "findings": [f.to_json() for f in findings]}


def _resolver(index: Any) -> CachedResolver:
    from kg.resolve import CachedResolver

    return CachedResolver(index)


def _audit(
    determination: Determination, index: Any, on: date | None, resolver: CachedResolver | None
) -> list[Any]:
    from kg.audit import audit

    return audit(determination, index, on, resolver=resolver)


def _count(summary: Counter[str], determination: Determination, findings: list[Any] | None) -> None:
    summary["letters"] += 1
    for item in determination.items:
        summary["items"] += 1
        summary[f"decision: {item.decision}"] += 1
        for citation in item.reviewer_citations:
            summary[f"reviewer cites: {citation.guideline}"] += 1
        for citation in item.claims_administrator_citations:
            summary[f"claims administrator cites: {citation.guideline}"] += 1
    for finding in findings or ():
        summary[f"finding: {finding.kind}"] += 1


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
            for side, key in (
                ("claims administrator", "claims_administrator_citations"),
                ("reviewer", "reviewer_citations"),
            ):
                cited = "; ".join(map(_citation_words, item[key])) or "nothing cited"
                print(f"    {side}: {cited}")


def _citation_words(citation: dict[str, Any]) -> str:
    """A citation as read, in a few words: 'MTUS ACOEM Low Back Complaints 2004, Section(s):
    Physical Methods', 'ODG Pain Chapter', 'Other www.example.org', '(no guideline named)'."""
    words = [citation["guideline"] or "(no guideline named)"]
    words += [citation[k] for k in ("topic", "edition") if citation[k]]
    text = " ".join(words)
    for key, label in (("chapter", "ch."), ("sections", "Section(s):"), ("pages", "p.")):
        if citation[key]:
            text += f", {label} {citation[key]}"
    return text


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

    with Progress(
        transient=True, console=_stderr_console(), redirect_stdout=False, redirect_stderr=False
    ) as progress:
        task = progress.add_task("letters", total=len(paths))
        for path in paths:
            yield path, None
            progress.advance(task)


def _summary(summary: Counter[str], total: int, failed: int) -> None:
    from rich.table import Table

    table = Table(title=f"{total} file(s), {failed} not read or audited")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in sorted(summary):
        table.add_row(key, str(summary[key]))
    _stderr_console().print(table)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
