"""What a user of the package expects of it: a version, a licence, a changelog, type information."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_the_package_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "guideline_kg", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == f"guideline-kg {version('guideline-kg')}"


def test_the_changelog_names_the_current_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"## {project['version']}" in (ROOT / "CHANGELOG.md").read_text()
    assert (ROOT / project["license-files"][0]).is_file() and project["urls"]


def test_both_packages_carry_their_type_information() -> None:
    assert (ROOT / "kg" / "py.typed").is_file() and (ROOT / "graphql_api" / "py.typed").is_file()
