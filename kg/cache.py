"""The start-up cache: a pickled GuidelineIndex keyed by a hash of the data, ontology and code.

A stale key means a different file name, so edits to the data rebuild on the next start; a
corrupt or foreign file is ignored and rebuilt; an unwritable cache folder (a read-only
install) only costs the cache, never the service. Each write keeps the KEEP most recent index
files and removes older ones (a deploy or a data edit leaves the previous graph's file behind);
a write that fails (a full disk) removes its temporary file.

One process builds while the others wait (`build_lock`, a lock file in the cache folder): a start
of N workers without a cache builds the index once, not N times at once. The build runs in a child
process (`build_in_child`), so that the parsed graph's memory and the ICD-10-CM code set it reads
leave with it: a worker started without the cache holds what one started with it holds.

The file is a pickle, and loading a pickle runs whatever code it names: a cache folder that another
user could write to (writable by group or others, or owned by someone else) is neither read nor
written, and the index is built from the files instead. Each such problem is logged once.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import pickle
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kg.index import GuidelineIndex
from kg.load import DATA_DIR, ONTOLOGY_DIR, ONTOLOGY_FILE, data_files, fingerprint

log = logging.getLogger("guideline_kg.cache")
_logged: set[tuple[str, str]] = set()  # (folder, problem) already logged by this process
KEEP = 3  # index files kept in the cache folder: the current graph's and the last few before it
_CODE = [
    Path(__file__).with_name(name)
    for name in (
        "build.py",
        "index.py",
        "model.py",
        "names.py",
        "namespaces.py",
        "reach.py",
        "text.py",
        "titles.py",
    )
]


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
    folder = folder or cache_dir()
    if not _trusted(folder, missing_ok=True):
        return None
    path = folder / f"index-{key[:32]}.pickle"
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
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        _log_once(
            folder,
            f"the cache folder cannot be made ({type(exc).__name__}): starts build the graph",
        )
        return None
    if not _trusted(folder):
        return None
    target = folder / f"index-{index.version[:32]}.pickle"
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".index-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)  # atomic: readers see the old file or the whole new one
    except OSError as exc:  # a full disk, a folder where the file goes: no half-written file stays
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _log_once(
            folder,
            f"the start-up cache was not written ({type(exc).__name__}: {exc.strerror or exc})",
        )
        return None
    _prune(folder, keep=target)
    return target


@contextlib.contextmanager
def build_lock(folder: Path | None = None) -> Iterator[None]:
    """Hold the cache folder's build lock (fcntl.flock: released by the kernel if the holder dies);
    without a usable folder, no lock (the build is then only this process's)."""
    folder = folder or cache_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(folder):
            raise PermissionError(str(folder))
        fd = os.open(folder / ".build.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def build_in_child(
    data_dir: Path, ontology_dir: Path, folder: Path | None, check: bool, timeout: float = 900
) -> bool:
    """Build the index in a child process that writes it to the cache; True when it did. Its
    errors are not read here: the caller builds in process when this fails, and so reports the
    failure as a build always does."""
    folder = folder or cache_dir()
    root = str(Path(__file__).resolve().parent.parent)  # this kg package, not another installed
    path = os.environ.get("PYTHONPATH")
    command = [sys.executable, "-m", "kg.cache", str(data_dir), str(ontology_dir), str(folder)]
    try:
        done = subprocess.run(
            [*command, *(["--check"] if check else [])],
            env={**os.environ, "PYTHONPATH": os.pathsep.join([root, path] if path else [root])},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _build_main() -> int:
    """`python -m kg.cache DATA ONTOLOGY CACHE [--check]`: build the index and write it to CACHE
    (what build_in_child runs); exit 0 when written."""
    parser = argparse.ArgumentParser(description=_build_main.__doc__)
    for name in ("data_dir", "ontology_dir", "cache"):
        parser.add_argument(name, type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    from kg import build_from_files

    index = build_from_files(args.data_dir, args.ontology_dir, check=args.check)
    return 0 if write_cached(index, args.cache) is not None else 1


def _trusted(folder: Path, missing_ok: bool = False) -> bool:
    """Only this user can put a file in the folder (or it does not exist yet, for a read)."""
    try:
        info = folder.stat()
    except FileNotFoundError:
        return missing_ok
    except OSError:
        return False
    if info.st_uid != os.geteuid():
        _log_once(
            folder, "the cache folder belongs to another user: not used (a cached pickle runs code)"
        )
        return False
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        _log_once(
            folder,
            "the cache folder is writable by group or others: not used (a cached pickle runs code)",
        )
        return False
    return True


def _log_once(folder: Path, problem: str) -> None:
    if (str(folder), problem) not in _logged:
        _logged.add((str(folder), problem))
        log.warning("%s: %s", folder, problem)


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the KEEP most recent index files (never `keep`); a file another process
    removes first, or one this process may not remove, is left to it."""

    def modified(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    files = sorted(folder.glob("index-*.pickle"), key=modified, reverse=True)
    for old in [f for f in files if f != keep][KEEP - 1 :]:
        try:
            old.unlink()
        except OSError:
            continue


if __name__ == "__main__":
    sys.exit(_build_main())
