"""`guideline-kg`: validate, inspect and export the graph; resolve, read and audit; serve.

Exit codes: 0 success, 1 a problem with the input or the data (one message on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kg.errors import InputError, KgError, UsageError

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = handler
        return handler

    return register


def _data_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="folder of the data Turtle files"
    )
    parser.add_argument(
        "--ontology-dir", type=Path, default=None, help="folder of guideline.ttl and shapes.ttl"
    )


def _dirs(args: argparse.Namespace) -> dict[str, Path]:
    from kg.load import DATA_DIR, ONTOLOGY_DIR

    return {
        "data_dir": args.data_dir or DATA_DIR,
        "ontology_dir": args.ontology_dir or ONTOLOGY_DIR,
    }


def _index(args: argparse.Namespace) -> Any:
    from kg import load_index

    return load_index(**_dirs(args), use_cache=not getattr(args, "no_cache", False))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guideline-kg", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "validate", help="check the graph: SHACL, references, hierarchies, ICD-10-CM codes"
    )
    _data_args(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--quiet", "-q", action="store_true", help="no progress on stderr (shown on a terminal)"
    )

    p = sub.add_parser("stats", help="counts of the graph")
    _data_args(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-cache", action="store_true", help="ignore the start-up cache")

    p = sub.add_parser("export", help="write the whole graph (ontology and data)")
    _data_args(p)
    p.add_argument(
        "--format",
        choices=("ttl", "nt", "jsonld"),
        default="ttl",
        help="Turtle, N-Triples, or JSON-LD with a compact @context",
    )
    p.add_argument(
        "--output", "-o", type=Path, default=None, help="file to write (default: stdout)"
    )

    p = sub.add_parser(
        "publish",
        help="validate the graph and load it into a SPARQL graph store for replicas to serve",
    )
    _data_args(p)
    p.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the store's SPARQL 1.1 Graph Store Protocol endpoint (Oxigraph: http://HOST:7878/store)",
    )

    for register in _EXTENSIONS:
        register(sub)
    for sub_parser in sub.choices.values():
        # A handler that finds the options incomplete answers as argparse does: usage, exit 2.
        sub_parser.set_defaults(usage_error=sub_parser.error)
    return parser


def _extensions() -> list[Callable[[Any], None]]:
    from guideline_kg import cli_letters, cli_resolve, cli_serve

    return [cli_resolve.add_parser, cli_letters.add_parsers, cli_serve.add_parser]


_EXTENSIONS = _extensions()


@command("parse")
def _parse(args: argparse.Namespace) -> int:
    from guideline_kg import cli_letters

    return cli_letters.run(args, None)


@command("audit")
def _audit(args: argparse.Namespace) -> int:
    from guideline_kg import cli_letters

    # The graph is loaded only once the letters and options are known good: a bad --date or an
    # empty folder is told at once, not after the load.
    return cli_letters.run(args, lambda: _index(args))


@command("resolve")
def _resolve(args: argparse.Namespace) -> int:
    from guideline_kg import cli_resolve

    cli_resolve.check_options(args)  # a usage error is told before the graph loads
    return cli_resolve.run(args, _index(args))


@command("serve")
def _serve(args: argparse.Namespace) -> int:
    from guideline_kg import cli_serve

    return cli_serve.run(args)


@command("validate")
def _validate(args: argparse.Namespace) -> int:
    from guideline_kg.cli_progress import steps, wanted
    from kg.load import load_graph, load_shapes
    from kg.validate import validate

    dirs = _dirs(args)
    with steps(wanted(args.quiet)) as step:
        step("loading the graph")
        graph = load_graph(**dirs)
        report = validate(graph, load_shapes(dirs["ontology_dir"]), progress=step)
    if args.json:
        print(
            json.dumps(
                {
                    "conforms": report.conforms,
                    "violations": [
                        {"check": v.check, "focus": v.focus, "message": v.message}
                        for v in report.violations
                    ],
                },
                indent=2,
            )
        )
    else:
        for violation in report.violations:
            print(violation)
        print("conforms" if report.conforms else f"{len(report.violations)} violation(s)")
    return 0 if report.conforms else 1


@command("publish")
def _publish(args: argparse.Namespace) -> int:
    from graphql_api.graph_store import publish, shown
    from kg.errors import ValidationError

    try:
        record = publish(args.to, **_dirs(args))
    except ValidationError as exc:  # every violation, as `validate` prints them; nothing written
        for violation in exc.violations:
            print(violation, file=sys.stderr)
        raise
    print(f"published {record.version} ({record.triples} triples) to {shown(args.to)}")
    return 0


@command("stats")
def _stats(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    stats = _index(args).stats()
    if args.json:
        print(json.dumps(stats))
    else:
        for key, value in stats.items():
            print(f"{key:>20}: {value}")
        print(f"{'ready in':>20}: {time.perf_counter() - started:.2f} s")
    return 0


@command("export")
def _export(args: argparse.Namespace) -> int:
    from kg.load import load_graph

    graph = load_graph(**_dirs(args))
    if args.format == "jsonld":
        from kg.jsonld import to_jsonld

        text = to_jsonld(graph)  # compact, with a @context of readable keys
    else:
        text = graph.serialize(format={"ttl": "turtle", "nt": "nt"}[args.format])
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot write {args.output}: {exc.strerror or type(exc).__name__}"
            ) from None
    else:
        sys.stdout.write(text)
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("guideline-kg")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        args.usage_error(str(exc))  # argparse's error: prints the usage and exits 2
        return 2
    except KgError as exc:
        print(f"guideline-kg {args.command}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
