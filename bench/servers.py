"""Start and stop the servers the HTTP rows measure: `guideline-kg serve` and the plain endpoint.

Each server runs in its own session (process group) on a free loopback port and is stopped by
its own process id, group included, whatever happens to the benchmark.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT
from loadtest.server import children, cmdline, serve_command


class Server:
    def __init__(
        self, name: str, command: list[str], port: int, env: dict[str, str], log: Path
    ) -> None:
        self.name, self.command, self.port, self.env, self.log = name, command, port, env, log
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0

    def start(self) -> Server:
        with self.log.open("ab") as out:
            self.started = time.perf_counter()
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def wait_healthy(
        self, timeout: float = 120.0, consecutive: int = 1, interval: float = 0.01
    ) -> float:
        """Seconds from start until /healthz answered 200 `consecutive` times in a row."""
        assert self.process is not None
        deadline = time.perf_counter() + timeout
        streak = 0
        first_ok = None
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}: {self.tail()}"
                )
            if healthz(self.port) == 200:
                first_ok = first_ok or time.perf_counter()
                streak += 1
                if streak >= consecutive:
                    return first_ok - self.started
                continue
            streak = 0
            time.sleep(interval)
        raise TimeoutError(f"{self.name} not healthy after {timeout:.0f} s: {self.tail()}")

    def workers(self) -> list[int]:
        """Process ids of the serving processes: the workers under a supervisor, else the
        process."""
        assert self.process is not None
        workers = [c for c in children(self.process.pid) if "resource_tracker" not in cmdline(c)]
        return workers or [self.process.pid]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pid = self.process.pid
        try:
            os.killpg(pid, signal.SIGTERM)  # the group of this server only (start_new_session)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=5)

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def product(
    port: int, workers: int, env: dict[str, str], log: Path, data_dir: Path | None = None
) -> Server:
    command = [
        *serve_command(),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    if data_dir:
        command += ["--data-dir", str(data_dir)]
    return Server("guideline-kg serve", command, port, env, log)


def plain(port: int, workers: int, env: dict[str, str], log: Path) -> Server:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.plain_app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return Server("plain starlette", command, port, {**env, "PYTHONPATH": str(ROOT)}, log)


def healthz(port: int) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()
