"""The start-up cache: a pickled GuidelineIndex keyed by a hash of the data, ontology and code.

A stale key means a different file name, so edits to the data rebuild on the next start; a
corrupt or foreign file is ignored and rebuilt; an unwritable cache folder (a read-only
install) only costs the cache, never the service. Each write keeps the KEEP most recent index
files and removes older ones (a deploy or a data edit leaves the previous graph's file behind).
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
from pathlib import Path

from kg.index import GuidelineIndex
from kg.load import DATA_DIR, ONTOLOGY_DIR, ONTOLOGY_FILE, data_files, fingerprint

KEEP = 3  # index files kept in the cache folder: the current graph's and the last few before it
_CODE = [Path(__file__).with_name(name) for name in ("build.py", "index.py", "model.py", "namespaces.py", "text.py")]


def cache_dir() -> Path:
    configured = os.environ.get("GUIDELINE_KG_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "guideline-kg"


def index_key(data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR) -> str:
    salt = f"{sys.version_info[:2]}"
    return fingerprint([*_CODE, ontology_dir / ONTOLOGY_FILE, *data_files(data_dir)], salt=salt)


def read_cached(key: str, folder: Path | None = None) -> GuidelineIndex | None:
    path = (folder or cache_dir()) / f"index-{key[:32]}.pickle"
    try:
        with path.open("rb") as handle:
            index = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, corrupt or from another version: rebuild
        return None
    if not isinstance(index, GuidelineIndex) or index.version != key:
        return None
    return index


def write_cached(index: GuidelineIndex, folder: Path | None = None) -> Path | None:
    folder = folder or cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".index-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        target = folder / f"index-{index.version[:32]}.pickle"
        os.replace(tmp, target)  # atomic: readers see the old file or the whole new one
    except OSError:
        return None
    _prune(folder, keep=target)
    return target


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the KEEP most recent index files (never `keep`); a file another process
    removes first, or one this process may not remove, is left to it."""
    def modified(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    files = sorted(folder.glob("index-*.pickle"), key=modified, reverse=True)
    for old in [f for f in files if f != keep][KEEP - 1:]:
        try:
            old.unlink()
        except OSError:
            continue
