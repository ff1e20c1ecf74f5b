"""TSV files to rows; every problem a `RowError` value naming file, line and column.

A table is UTF-8 text, tab-separated, one header line naming the columns, one row per line.
Blank lines and lines starting with ``#`` are skipped (a curator's comment). Cells are not
quoted; a cell must not hold a tab or a line break.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.tables.schema import Table


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in a table: 1-based line and column (0 = the whole line or file)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: its cells by column name, and where it stands for error messages."""

    table: Table
    path: str
    line: int
    cells: dict[str, str]
    positions: dict[str, int]  # column name -> 1-based column number

    def get(self, name: str) -> str:
        return self.cells.get(name, "")

    def error(self, name: str, message: str) -> RowError:
        return RowError(self.path, self.line, self.positions.get(name, 0), message)


def read_table(
    path: Path, table: Table, shown: str | None = None
) -> tuple[list[Row], list[RowError]]:
    """The rows of one table file and the errors found in its layout and cells' presence."""
    where = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [], [RowError(where, 0, 0, f"not UTF-8 text ({exc.reason})")]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return [], [RowError(where, 1, 0, "empty table: a header line is required")]
    header, errors = _header(lines[0], table, where)
    if errors:
        return [], errors
    rows: list[Row] = []
    positions = {name: i + 1 for i, name in enumerate(header)}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        row, row_errors = _row(line, number, header, positions, table, where)
        errors += row_errors
        if row is not None:
            rows.append(row)
    return rows, errors


def _header(line: str, table: Table, where: str) -> tuple[list[str], list[RowError]]:
    names = line.rstrip("\r").split("\t")
    errors = []
    for i, name in enumerate(names, start=1):
        if table.column(name) is None:
            errors.append(RowError(where, 1, i, f"unknown column {name!r} for table {table.name}"))
        elif names.index(name) != i - 1:
            errors.append(RowError(where, 1, i, f"column {name!r} appears twice"))
    for name in table.required:
        if name not in names:
            errors.append(RowError(where, 1, 0, f"required column {name!r} is missing"))
    return names, errors


def _row(
    line: str, number: int, header: list[str], positions: dict[str, int], table: Table, where: str
) -> tuple[Row | None, list[RowError]]:
    cells = line.rstrip("\r").split("\t")
    if len(cells) != len(header):
        message = f"{len(cells)} cells where the header has {len(header)} columns"
        return None, [RowError(where, number, min(len(cells), len(header)) + 1, message)]
    row = Row(table, where, number, dict(zip(header, cells)), positions)
    errors = []
    for name, cell in row.cells.items():
        if cell != cell.strip():
            errors.append(row.error(name, f"{name}: leading or trailing spaces"))
    for name in table.required:
        if not row.get(name):
            errors.append(row.error(name, f"{name} is required"))
    return row, errors
