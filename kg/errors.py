"""Faults of guideline-kg: the one exception hierarchy of the `kg` package.

Expected outcomes (an unknown service, no applicable guideline) are values, not exceptions;
these classes are for input that cannot be read and data that cannot be loaded.
"""

from __future__ import annotations


class KgError(Exception):
    """Base class of every error raised by `kg`."""


class DataFileError(KgError):
    """A data or ontology file failed to parse; names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class ValidationError(KgError):
    """The graph loaded but does not conform (SHACL, references, hierarchies, codes)."""

    def __init__(self, violations: list[str]) -> None:
        self.violations = violations
        super().__init__(
            f"{len(violations)} violation(s); first: {violations[0] if violations else '-'}"
        )


class InputError(KgError):
    """A request cannot be served as given (malformed date, date out of range, bad fact). `field`
    names the part of the request at fault ("date", "services", "diagnoses", "facts", ...) where
    there is one, so a client can point at it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class LetterError(KgError):
    """A letter cannot be read. `kind` is machine-readable; the message never quotes letter text."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(f"{kind}: {message}")


class UsageError(KgError):
    """The command line asks for something incomplete or contradictory (a required option left
    out, options that exclude each other): exit 2 with the usage, as argparse does."""
