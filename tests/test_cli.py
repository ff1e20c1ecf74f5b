"""The console script through its entry point: exit codes, JSON shapes, errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from tests.conftest import DATA, MINI_GRAPH

MINI = ["--data-dir", str(MINI_GRAPH)]


def test_validate_passes_on_a_conforming_graph(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *MINI]) == 0
    assert "conforms" in capsys.readouterr().out


def test_validate_fails_with_the_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
    assert set(stats) == {"triples", "documents", "sections", "criteria", "conditions", "treatments",
                          "formulary_entries", "sections_by_publisher"}
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


def test_a_broken_data_file_is_one_line_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    done = subprocess.run([str(script), "stats", "--json"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sections"] > 0
