"""Loading: parse errors name the file and line; the start-up cache is keyed by the data."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg
from kg.cache import build_lock, index_key
from kg.errors import DataFileError, ValidationError
from tests.conftest import DATA, MINI_GRAPH

ROOT = Path(__file__).resolve().parent.parent


def _copy_mini(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(MINI_GRAPH, target)
    return target


def test_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    data = _copy_mini(tmp_path)
    (data / "broken.ttl").write_text("@prefix a: <http://x/> .\na:b a:c a:d .\na:e a:f .\n")
    with pytest.raises(DataFileError) as caught:
        kg.load_index(data, use_cache=False)
    assert caught.value.path.endswith("broken.ttl")
    assert caught.value.line == 3
    assert "broken.ttl:3" in str(caught.value)


def test_a_file_that_is_not_utf8_is_a_data_error(tmp_path: Path) -> None:
    data = _copy_mini(tmp_path)
    (data / "latin.ttl").write_bytes(b"# \xff\xfe\n")
    with pytest.raises(DataFileError, match="latin.ttl"):
        kg.load_index(data, use_cache=False)


def test_a_missing_data_folder_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="not found"):
        kg.load_index(tmp_path / "nowhere", use_cache=False)


def test_checked_build_refuses_a_graph_with_dangling_references(tmp_path: Path) -> None:
    data = _copy_mini(tmp_path)
    shutil.copy(DATA / "invalid" / "reference-undefined.ttl", data)
    with pytest.raises(ValidationError, match="undefined"):
        kg.build_from_files(data, check=True)


def test_the_cache_is_used_and_rebuilt_when_the_data_changes(tmp_path: Path) -> None:
    data, cache = _copy_mini(tmp_path), tmp_path / "cache"
    first = kg.load_index(data, cache_dir=cache)
    assert list(cache.glob("index-*.pickle"))
    again = kg.load_index(data, cache_dir=cache)
    assert again.version == first.version and again.stats() == first.stats()
    shutil.copy(DATA / "valid" / "at-least-group-and-successor-code.ttl", data)
    changed = kg.load_index(data, cache_dir=cache)
    assert changed.version != first.version
    assert changed.stats()["conditions"] == first.stats()["conditions"] + 1


def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    data, cache = _copy_mini(tmp_path), tmp_path / "cache"
    cache.mkdir()
    key = index_key(data)
    (cache / f"index-{key[:32]}.pickle").write_bytes(b"not a pickle")
    index = kg.load_index(data, cache_dir=cache)
    assert index.version == key
    with (cache / f"index-{key[:32]}.pickle").open("rb") as handle:
        assert pickle.load(handle).version == key


def test_a_stale_cache_with_another_version_is_not_used(tmp_path: Path) -> None:
    data, cache = _copy_mini(tmp_path), tmp_path / "cache"
    index = kg.load_index(data, cache_dir=cache)
    key = index_key(data)
    foreign = kg.load_index(MINI_GRAPH, use_cache=False)
    object.__setattr__(foreign, "version", "something-else")
    (cache / f"index-{key[:32]}.pickle").write_bytes(pickle.dumps(foreign))
    assert kg.load_index(data, cache_dir=cache).version == index.version


def test_an_unwritable_cache_folder_still_serves(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    index = kg.load_index(MINI_GRAPH, cache_dir=blocker / "sub")
    assert index.stats()["sections"] > 0


def test_a_checking_load_does_not_take_an_unchecked_cached_index(tmp_path: Path) -> None:
    """The CLI caches what it built without the checks; a server (check=True) builds it again with
    them, so a graph it serves has always passed them, and caches the checked index for the next."""
    data, cache = _copy_mini(tmp_path), tmp_path / "cache"
    shutil.copy(DATA / "invalid" / "reference-undefined.ttl", data)
    unchecked = kg.load_index(data, cache_dir=cache)  # as the CLI does: built, cached, not checked
    assert not unchecked.checked
    with pytest.raises(ValidationError, match="undefined"):
        kg.load_index(data, cache_dir=cache, check=True)
    (data / "reference-undefined.ttl").unlink()
    checked = kg.load_index(data, cache_dir=cache, check=True)
    assert checked.checked
    assert kg.load_index(data, cache_dir=cache).checked  # the cache now holds the checked one
    assert kg.load_index(data, cache_dir=cache, check=True).version == checked.version


def test_the_cache_keeps_only_the_most_recent_index_files(tmp_path: Path) -> None:
    from kg.cache import KEEP

    data, cache = _copy_mini(tmp_path), tmp_path / "cache"
    versions = []
    for n in range(KEEP + 2):  # each data edit is a new graph, a new cache file
        (data / f"extra-{n}.ttl").write_text(f"# an edit {n}\n")
        versions.append(kg.load_index(data, cache_dir=cache).version)
        time.sleep(0.01)  # distinct modification times
    kept = sorted(p.name for p in cache.glob("index-*.pickle"))
    assert kept == sorted(f"index-{v[:32]}.pickle" for v in versions[-KEEP:])


def test_checked_build_refuses_a_code_the_icd10cm_code_set_does_not_hold(tmp_path: Path) -> None:
    data = _copy_mini(tmp_path)
    shutil.copy(DATA / "invalid" / "icd10-not-in-code-set.ttl", data)
    with pytest.raises(ValidationError, match="is not an ICD-10-CM code"):
        kg.build_from_files(data, check=True)
    with pytest.raises(ValidationError, match="is not an ICD-10-CM code"):
        kg.load_index(data, cache_dir=tmp_path / "cache", check=True)  # built in a child first
    assert not list((tmp_path / "cache").glob("index-*.pickle"))


SERVE_START = """
import sys
from pathlib import Path
import kg
index = kg.load_index(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]), check=True)
print(index.checked, "simple_icd_10_cm" in sys.modules)
"""


def _start(data: Path, cache: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SERVE_START, str(data), str(cache)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_serving_process_never_loads_the_icd10_code_set(tmp_path: Path) -> None:
    """The codes are checked as the index is built, in a child process when the cache is empty:
    neither a start without the cache nor one from it imports the code set."""
    data, cache = _copy_mini(tmp_path), tmp_path / "cache"
    for _ in ("without the cache", "from the cache"):
        out, err = _start(data, cache).communicate(timeout=300)
        assert out.split() == ["True", "False"], err[-2000:]
    assert len(list(cache.glob("index-*.pickle"))) == 1


def test_a_start_waits_for_the_process_that_builds_the_cache(tmp_path: Path) -> None:
    data, cache = _copy_mini(tmp_path), tmp_path / "cache"
    with build_lock(cache):  # another process is building
        waiting = _start(data, cache)
        time.sleep(1.0)
        assert waiting.poll() is None and not list(cache.glob("index-*.pickle"))
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0 and out.split() == ["True", "False"], err[-2000:]
    assert len(list(cache.glob("index-*.pickle"))) == 1
