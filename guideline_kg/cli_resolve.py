"""`guideline-kg resolve`: one request from flags, or a batch of cases from a JSON file."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from kg.errors import InputError, UsageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("resolve", help="which guideline governs each service on a date")
    p.add_argument(
        "--service", action="append", default=[], help="a disputed service as written (repeat)"
    )
    p.add_argument(
        "--diagnosis", action="append", default=[], help="ICD-10-CM / ICD-9 code or text (repeat)"
    )
    p.add_argument("--date", help="request date, YYYY-MM-DD")
    p.add_argument(
        "--fact", action="append", default=[], metavar="KEY=VALUE", help="a clinical fact (repeat)"
    )
    p.add_argument(
        "--phase", choices=("acute", "subacute", "chronic", "postsurgical"), help="phase of care"
    )
    p.add_argument(
        "--input",
        type=Path,
        help='batch: {"cases": [{"id", "date", "diagnoses", "services", "facts"}]}',
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--ontology-dir", type=Path, default=None, help=argparse.SUPPRESS)


def run(args: argparse.Namespace, index: Any) -> int:
    from kg.resolve import ResolveRequest, resolve

    today = date.today()
    if args.input:
        cases = _read_batch(args.input)
        out: dict[str, Any] = {"cases": []}
        for case in cases:
            request = ResolveRequest.parse(
                on=case.get("date"),
                services=case.get("services") or [],
                diagnoses=case.get("diagnoses"),
                facts=case.get("facts"),
                today=today,
            )
            out["cases"].append(
                {"id": case.get("id"), "services": [r.to_json() for r in resolve(request, index)]}
            )
        _print(out, args.json)
        return 0
    facts = dict(_fact(f) for f in args.fact)
    if args.phase:
        facts["phase"] = args.phase
    request = ResolveRequest.parse(
        on=args.date, services=args.service, diagnoses=args.diagnosis, facts=facts, today=today
    )
    _print({"services": [r.to_json() for r in resolve(request, index)]}, args.json)
    return 0


def check_options(args: argparse.Namespace) -> None:
    """A request from flags needs --date and --service; a batch takes everything from its file."""
    flags = [
        f"--{name}"
        for name in ("service", "date", "diagnosis", "fact", "phase")
        if getattr(args, name)
    ]
    if args.input and flags:
        raise UsageError(f"--input takes each case from the file; leave out {', '.join(flags)}")
    if not args.input:
        missing = [f"--{name}" for name in ("date", "service") if not getattr(args, name)]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise UsageError(f"{' and '.join(missing)} {verb} required (or --input FILE)")


def _fact(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError(f"--fact takes KEY=VALUE, got '{text[:40]}'")
    return key.strip(), value.strip()


def _read_batch(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not JSON (line {exc.lineno})") from None
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
        raise InputError(f'{path} must hold {{"cases": [{{...}}, ...]}}')
    return cases


def _how_sure(citation: dict[str, Any]) -> str:
    """The citation's confidence in plain words, and where it comes from."""
    source = f"; source: {citation['source']}" if citation.get("source") else ""
    return f"confidence: {citation['confidence']}{source}"


def _print(out: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    groups = out.get("cases") or [{"id": None, "services": out["services"]}]
    for case in groups:
        if case["id"] is not None:
            print(f"== case {case['id']}")
        for result in case["services"]:
            governing = result["governing"]
            print(f"{result['request']}: {result['outcome']}")
            if governing:
                print(f"  governs: {governing['text']}")
                print(f"    {_how_sure(governing)}")
            for criterion in result["criteria"]:
                needs = f" (needs {', '.join(criterion['needs'])})" if criterion["needs"] else ""
                print(f"  [{criterion['status']}] {criterion['text']}{needs}")
            _print_drug(result)
            for problem in result["problems"]:
                print(f"  ! {problem}")
            for candidate in result["candidates"][1 if governing else 0 :]:
                print(f"  candidate: {candidate['text']} ({candidate['confidence']})")


def _print_drug(result: dict[str, Any]) -> None:
    """The MTUS Drug List standing and, for an opioid, the daily MME with its thresholds."""
    standing = result.get("drug_list")
    if standing:
        mark = f", confidence {standing['confidence']}" if standing["confidence"] else ""
        source = f" [source: {standing['sources'][0]}{mark}]" if standing["sources"] else ""
        print(f"  drug list: {standing['standing']}: {standing['text']}{source}")
    dose = result.get("dose")
    if not dose:
        return
    if dose["mme_per_day"] is not None:
        print(f"  dose: {dose['mme_per_day']:g} MME/day ({dose['basis']})")
    else:
        print(f"  dose: MME/day not known (needs {', '.join(dose['missing'])}; {dose['basis']})")
    for check in dose["thresholds"]:
        needs = f" (needs {', '.join(check['needs'])})" if check["needs"] else ""
        print(f"  [{check['status']}] {check['label']}{needs}")
