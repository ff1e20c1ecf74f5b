"""Progress of a long command (`guideline-kg validate`) on stderr: the step under way and the time
it has taken, so half a minute of SHACL checking does not look like a hang.

Shown only when stderr is a terminal and --quiet is not given: a log file or a pipe gets no
redraws, and stdout (the report) is never touched.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def wanted(quiet: bool, stream: Any = None) -> bool:
    stream = sys.stderr if stream is None else stream
    if quiet:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a replaced or closed stream is no terminal
        return False


@contextmanager
def steps(show: bool) -> Iterator[Callable[[str], None]]:
    """A function to call with each step's name; it draws them when `show`, else does nothing."""
    if not show:
        yield lambda _name: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr, force_terminal=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as progress:
        task = progress.add_task("starting", total=None)
        current: list[tuple[str, float]] = []

        def finish() -> None:
            if current:
                name, started = current.pop()
                # a finished step stays in the scrollback with the time it took
                console.print(f"done: {name} ({time.monotonic() - started:.1f} s)", style="dim",
                              highlight=False)  # fmt: skip

        def step(name: str) -> None:
            finish()
            current.append((name, time.monotonic()))
            progress.update(task, description=name)

        yield step
        finish()
