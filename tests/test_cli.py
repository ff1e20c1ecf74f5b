"""The console script through its entry point: exit codes, JSON shapes, errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from guideline_kg.cli import main
from kg.errors import InputError
from kg.letters import Determination
from kg.resolve import CachedResolver
from tests.conftest import DATA, MINI_GRAPH

MINI = ["--data-dir", str(MINI_GRAPH)]


def test_validate_passes_on_a_conforming_graph(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *MINI]) == 0
    assert "conforms" in capsys.readouterr().out


def test_validate_fails_with_the_violations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    shutil.copytree(MINI_GRAPH, tmp_path / "d")
    shutil.copy(DATA / "invalid" / "section-without-recommendation.ttl", tmp_path / "d")
    assert main(["validate", "--data-dir", str(tmp_path / "d"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is False
    assert any("gl:recommendation" in v["message"] for v in report["violations"])


def test_stats_json_has_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--json", *MINI]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert set(stats) == {
        "triples",
        "documents",
        "sections",
        "criteria",
        "conditions",
        "treatments",
        "formulary_entries",
        "sections_by_publisher",
    }
    assert set(stats["sections_by_publisher"]) >= {"DWC", "ACOEM", "ODG"}
    assert stats["sections"] == sum(stats["sections_by_publisher"].values())


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_export_round_trips(fmt: str, tmp_path: Path) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from kg.load import load_graph

    out = tmp_path / f"graph.{fmt}"
    assert main(["export", "--format", fmt, "-o", str(out), *MINI]) == 0
    parsed = Graph().parse(out, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
    assert isomorphic(parsed, load_graph(MINI_GRAPH))


def test_a_broken_data_file_is_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.ttl").write_text("this is not turtle\n")
    assert main(["stats", "--data-dir", str(tmp_path), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert "bad.ttl" in err and "Traceback" not in err


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["no-such-command"])
    assert caught.value.code == 2


def test_the_console_script_runs_from_any_directory(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("guideline-kg")
    assert script.exists(), (
        f"no console script at {script}: install the package (pip install -e '.[test]')"
    )
    done = subprocess.run(
        [str(script), "stats", "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sections"] > 0


SERVICE_KEYS = {
    "request",
    "outcome",
    "treatment",
    "quantity",
    "governing",
    "candidates",
    "criteria",
    "trace",
    "problems",
}
CITATION_KEYS = {
    "guideline",
    "mtus",
    "document",
    "edition",
    "chapter",
    "section",
    "pages",
    "text",
    "evidence_step",
}


def test_resolve_prints_one_resolution_per_service_in_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "resolve",
            *MINI,
            "--service",
            "PHYSICAL THERAPY X6",
            "--service",
            "crystal healing",
            "--diagnosis",
            "myalgia",
            "--date",
            "2013-12-10",
            "--fact",
            "visits_received=2",
            "--json",
        ]
    )
    assert code == 0
    services = json.loads(capsys.readouterr().out)["services"]
    assert [s["request"] for s in services] == ["PHYSICAL THERAPY X6", "crystal healing"]
    assert SERVICE_KEYS <= set(services[0]) and CITATION_KEYS <= set(services[0]["governing"])
    assert services[0]["quantity"] == 6 and services[0]["governing"]["pages"] == "98-99"
    assert {c["status"] for c in services[0]["criteria"]} <= {
        "MET",
        "NOT_MET",
        "INSUFFICIENT_INFORMATION",
    }
    assert services[1]["outcome"] == "UNKNOWN_SERVICE" and services[1]["governing"] is None


def test_resolve_reads_a_batch_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = {
        "cases": [
            {
                "id": "a",
                "date": "2013-12-10",
                "diagnoses": ["low back pain"],
                "services": ["PT x6"],
                "facts": {"date_of_injury": "2012-05-31"},
            },
            {"id": "b", "date": "2016-09-01", "diagnoses": [], "services": ["Flexeril", "PT"]},
        ]
    }
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(batch))
    assert main(["resolve", *MINI, "--input", str(path), "--json"]) == 0
    cases = json.loads(capsys.readouterr().out)["cases"]
    assert [c["id"] for c in cases] == ["a", "b"]
    assert [len(c["services"]) for c in cases] == [1, 2]
    assert cases[1]["services"][1]["governing"]["edition"] == "2016"


@pytest.mark.parametrize(
    "argv",
    [
        ["--date", "2003-01-01", "--service", "PT"],
        ["--date", "2013-13-45", "--service", "PT"],
        ["--date", "2999-01-01", "--service", "PT"],
        ["--date", "2013-12-10", "--service", "PT", "--fact", "visits_received=lots"],
        ["--date", "2013-12-10", "--service", "PT", "--fact", "nonsense"],
    ],
)
def test_resolve_input_errors_are_one_line_and_exit_1(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resolve", *MINI, *argv]) == 1
    captured = capsys.readouterr()
    assert (
        captured.out == ""
        and len(captured.err.strip().splitlines()) == 1
        and "Traceback" not in captured.err
    )


def test_a_broken_batch_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cases.json"
    path.write_text("{not json")
    assert main(["resolve", *MINI, "--input", str(path)]) == 1
    assert "not JSON" in capsys.readouterr().err


def test_parse_prints_one_json_document_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    letters = sorted((DATA / "letters").glob("*.txt"))
    assert main(["parse", *map(str, letters), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["file"] for line in lines] == [str(p) for p in letters]
    assert all(line["items"] for line in lines)


def test_parse_of_a_garbage_file_is_a_typed_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(b"\x00\x01 lorem ipsum SECRET-MARKER-123 \xff")
    assert main(["parse", str(garbage), "--json"]) == 1
    out = capsys.readouterr()
    line = json.loads(out.out)
    assert line["error"]["kind"] and "SECRET-MARKER-123" not in out.out + out.err


def _at_a_terminal(argv: list[str], stdout: Path) -> tuple[int, str]:
    """Run the console script as from an interactive shell with `> stdout`: stdin and stderr are
    a pseudo-terminal, stdout the file. Returns the exit code and what reached the terminal."""
    import os
    import threading

    script = Path(sys.executable).with_name("guideline-kg")
    assert script.exists(), (
        f"no console script at {script}: install the package (pip install -e '.[test]')"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FORCE_TERMINAL", "TTY_INTERACTIVE", "TTY_COMPATIBLE", "NO_COLOR", "TERM")
    }
    env["TERM"] = "xterm-256color"  # rich draws its live display only on a capable terminal
    master, slave = os.openpty()
    terminal = bytearray()

    def drain() -> None:  # a full pty buffer would block the child
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO once the child's side is closed
                return
            if not chunk:
                return
            terminal.extend(chunk)

    with stdout.open("wb") as out:
        child = subprocess.Popen(
            [str(script), *argv], stdin=slave, stdout=out, stderr=slave, env=env
        )
    os.close(slave)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    code = child.wait(timeout=300)
    reader.join(timeout=30)
    os.close(master)
    return code, terminal.decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    "argv",
    [["parse", "--json"], ["parse"], ["audit", "--json", *MINI], ["audit", *MINI]],
    ids=" ".join,
)
def test_results_go_to_stdout_when_it_is_redirected_from_a_terminal(
    argv: list[str], tmp_path: Path
) -> None:
    letters = sorted((DATA / "letters").glob("*.txt"))
    out = tmp_path / "out.txt"
    code, terminal = _at_a_terminal([*argv, str(DATA / "letters")], out)
    assert code == 0, terminal
    written = out.read_text(encoding="utf-8")
    if "--json" in argv:
        assert [json.loads(line)["file"] for line in written.splitlines()] == [
            str(p) for p in letters
        ]
    else:
        assert all(str(p) in written for p in letters)
    # The summary (stderr) reached the terminal; no result did.
    assert f"{len(letters)} file(s)" in terminal and str(letters[0]) not in terminal


def _one_line_error(captured: pytest.CaptureResult[str]) -> str:
    assert captured.out == "" and "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize("command", ["parse", "audit"])
@pytest.mark.parametrize("bad", ["2013-13-45", "nonsense"])
def test_a_bad_date_for_the_letters_is_one_line_and_exit_1(
    command: str, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, str(DATA / "letters"), "--date", bad, *MINI]) == 1
    assert "--date" in _one_line_error(capsys.readouterr())


@pytest.mark.parametrize("command", ["parse", "audit"])
def test_an_empty_folder_is_no_letters_found_and_exit_1(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.doc").write_text("not a letter's suffix")
    assert main([command, str(tmp_path), "--json", *MINI]) == 1
    assert "no letters found" in _one_line_error(capsys.readouterr())


def test_a_letter_before_the_first_mtus_does_not_stop_the_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    letters = sorted((DATA / "letters").glob("*.txt"))
    early = DATA / "letters" / "synthetic-2005-before-mtus.txt"
    assert early in letters and len(letters) > 1  # the early letter among others
    assert main(["audit", str(DATA / "letters"), "--json", *MINI]) == 0
    lines = {line["file"]: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(lines) == {str(p) for p in letters}
    findings = lines[str(early)]["findings"]
    assert (
        findings[0]["kind"] == "no_mtus_in_force"
        and findings[0]["evidence"] == "ur_denial_date: 2005-02-22"
    )


def test_export_to_a_folder_that_does_not_exist_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "-o", str(tmp_path / "missing" / "graph.ttl"), *MINI]) == 1
    assert "cannot write" in _one_line_error(capsys.readouterr())


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["validate", "--bogus"],
        ["stats", "--bogus"],
        ["export", "--format", "xml"],
        ["resolve", "--service", "PT"],
        ["resolve", "--date", "2013-12-10"],
        ["resolve"],
        ["resolve", "--input", "cases.json", "--service", "PT"],
        ["parse"],
        ["parse", "letter.txt", "--bogus"],
        ["audit"],
        ["serve", "--port", "abc"],
    ],
    ids=" ".join,
)
def test_usage_errors_of_every_subcommand_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main([*argv, *MINI] if argv[:1] == ["resolve"] else argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage:") and "Traceback" not in err


def test_a_letter_the_audit_refuses_is_that_files_error_and_the_rest_go_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Fault injection: whatever a letter states that the resolver refuses (an InputError) must be
    # reported against that file, never stop the folder unnamed.
    import kg.audit

    real = kg.audit.audit

    def refusing(
        determination: Determination, index: object, on: object = None, resolver: object = None
    ) -> list:
        if determination.dwc_case_number == "CM17-0999001":
            raise InputError("the resolver refuses this letter")
        return real(determination, index, on, resolver=resolver)

    monkeypatch.setattr(kg.audit, "audit", refusing)
    letters = sorted((DATA / "letters").glob("*.txt"))
    assert main(["audit", str(DATA / "letters"), "--json", *MINI]) == 0
    lines = {line["file"]: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    refused = str(DATA / "letters" / "synthetic-2016-sections.txt")
    assert lines[refused]["error"] == {
        "kind": "cannot_audit",
        "message": "the resolver refuses this letter",
    }
    assert all("findings" in lines[str(p)] for p in letters if str(p) != refused)


def test_the_audit_of_a_folder_shares_one_cached_resolver(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The letters of a folder ask about the same services and dates: one CachedResolver per run
    # keeps its answers for all of them (a resolver per letter would keep nothing worth having).
    import kg.audit

    real = kg.audit.audit
    given: list[object] = []

    def recording(
        determination: Determination, index: object, on: object = None, resolver: object = None
    ) -> list:
        given.append(resolver)
        return real(determination, index, on, resolver=resolver)

    monkeypatch.setattr(kg.audit, "audit", recording)
    letters = sorted((DATA / "letters").glob("*.txt"))
    assert main(["audit", str(DATA / "letters"), "--json", *MINI]) == 0
    capsys.readouterr()
    assert len(given) == len(letters) > 1
    assert isinstance(given[0], CachedResolver) and all(r is given[0] for r in given)
