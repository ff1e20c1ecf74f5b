from __future__ import annotations

import os
from pathlib import Path

import pytest

import kg
from kg.index import GuidelineIndex

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
MINI_GRAPH = DATA / "graph"
SHARED = TESTS.parents[1] / "shared"
LETTERS = SHARED / "fixtures" / "letters"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never write to the user's cache folder."""
    os.environ["GUIDELINE_KG_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def mini_index() -> GuidelineIndex:
    return kg.load_index(MINI_GRAPH, use_cache=False)


@pytest.fixture(scope="session")
def index() -> GuidelineIndex:
    """The shipped graph, checked as a server checks it: the session's cache then holds what every
    `guideline-kg serve` the tests start takes at once."""
    return kg.load_index(check=True)


@pytest.fixture(scope="session")
def letters_dir() -> Path:
    if not LETTERS.is_dir():
        pytest.skip(f"the shared letters ({LETTERS}) are not in this checkout")
    return LETTERS
