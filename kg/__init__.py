"""guideline-kg: which guideline governs a disputed California workers' compensation service.

The public API: load the index once, then ask it questions with pure functions.

    index = load_index()
    resolve(request, index)
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kg.errors import DataFileError, InputError, KgError, LetterError, ValidationError
from kg.index import GuidelineIndex
from kg.load import DATA_DIR, ONTOLOGY_DIR

__all__ = [
    "DataFileError",
    "GuidelineIndex",
    "InputError",
    "KgError",
    "LetterError",
    "ValidationError",
    "build_from_files",
    "load_index",
]


def build_from_files(
    data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR, *, check: bool = False
) -> GuidelineIndex:
    """Parse the files and compile the index, without the cache.

    With `check`, a graph that does not validate, or holds no MTUS adoption, raises ValidationError
    instead of being returned: what a reload uses, so a broken file never replaces a serving graph.

    The version (the cache key) is the hash of the files as they were before and after they were
    read: files that change meanwhile (a deploy copying them) are read again, so an index is never
    labelled, and cached, as data it was not built from.
    """
    from kg.build import build_index
    from kg.cache import index_key
    from kg.load import load_graph, load_shapes

    for _ in range(3):
        version = index_key(data_dir, ontology_dir)
        graph = load_graph(data_dir, ontology_dir)
        if check:
            from kg.validate import validate

            report = validate(graph, load_shapes(ontology_dir), shacl=False, icd10=False)
            if not report.conforms:
                raise ValidationError([str(v) for v in report.violations])
        if index_key(data_dir, ontology_dir) == version:
            index = build_index(graph, version=version)
            if not check:
                return index
            from kg.validate import icd10_violations

            if index.icd10_unknown:  # read as the index was built (kg.build)
                raise ValidationError([str(v) for v in icd10_violations(index.icd10_unknown)])
            _require_mtus(index, data_dir)
            return dataclasses.replace(index, checked=True)
    raise DataFileError(str(data_dir), "the data files kept changing while they were read")


def _require_mtus(index: GuidelineIndex, data_dir: Path) -> None:
    """Every answer starts from the MTUS in force on a date (LC 4610.5(c)(2)): a graph with no MTUS
    adoption (an empty data folder, a missing file) would answer every question wrongly, not
    fail."""
    if not index.adoptions:
        raise ValidationError(
            [
                f"{data_dir}: the graph has no MTUS adoption "
                f"({len(index.documents)} documents); a data file is missing or the folder is empty"
            ]
        )


def load_index(
    data_dir: Path = DATA_DIR,
    ontology_dir: Path = ONTOLOGY_DIR,
    *,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    check: bool = False,
) -> GuidelineIndex:
    """The compiled index of the graph, from the start-up cache when it is current. With `check`,
    only an index whose graph passed the checks: a cached one written by a run that did not check
    (the CLI) is built again with them, and the checked one replaces it in the cache.

    Without a current cache, one process builds it while the others wait (kg.cache.build_lock),
    in a child process; when that fails (a graph that does not load, a cache that cannot be
    written), the index is built here, and a failure raises as it always did."""
    from kg.cache import build_in_child, build_lock, index_key, read_cached, write_cached

    key = index_key(data_dir, ontology_dir)
    if use_cache:
        cached = read_cached(key, cache_dir)
        if cached is not None and (cached.checked or not check):
            return cached
        # One process builds (in a child: its memory goes with it) while the others wait for it.
        with build_lock(cache_dir):
            cached = read_cached(key, cache_dir)
            if cached is None or not (cached.checked or not check):
                built = build_in_child(data_dir, ontology_dir, cache_dir, check)
                cached = read_cached(key, cache_dir) if built else None
            if cached is not None and (cached.checked or not check):
                return cached
    index = build_from_files(data_dir, ontology_dir, check=check)
    if use_cache:
        write_cached(index, cache_dir)
    return index
