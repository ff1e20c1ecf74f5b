"""`guideline-kg serve` as a child process on a free loopback port: start, wait for /healthz, find
the worker processes, read their resident memory from /proc, send signals, stop.

Used by loadtest/run.py and by the reliability, hostile-input and privacy tests.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import httpx

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def serve_command() -> list[str]:
    script = Path(sys.executable).with_name("guideline-kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "guideline_kg"]


def children(pid: int) -> list[int]:
    """Direct children of a process, from /proc/<pid>/task/*/children."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def socket_owner(local_port: int, server_port: int, pids: Sequence[int]) -> int | None:
    """Which of `pids` holds the server side of the loopback connection from `local_port` (IPv4),
    from /proc/net/tcp and the processes' file descriptors; None when none of them (yet)."""
    inodes: set[str] = set()
    try:
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if (
                int(local.split(":")[1], 16) == server_port
                and int(remote.split(":")[1], 16) == local_port
            ):
                inodes.add(f"socket:[{inode}]")
    except OSError:
        return None
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    return None


def rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """A running `guideline-kg serve`; a context manager that always stops it."""

    def __init__(
        self,
        *,
        workers: int = 1,
        data_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        log: Path | None = None,
        cwd: Path | None = None,
        wrapper: Sequence[str] = (),
        startup_timeout: float = 90,
        wait: bool = True,
    ) -> None:
        self.port = free_port()
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.workers = workers
        self._scratch = None if log else tempfile.TemporaryDirectory(prefix="guideline-kg-serve-")
        self.log = log or Path(self._scratch.name) / "serve.log"  # type: ignore[union-attr]
        command = [
            *wrapper,
            *serve_command(),
            "serve",
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
            "--workers",
            str(workers),
        ]
        if data_dir is not None:
            command += ["--data-dir", str(data_dir)]
        full_env = {**os.environ, **(env or {})}
        self._log_handle = self.log.open("ab")
        self.process = subprocess.Popen(
            command,
            env=full_env,
            cwd=cwd,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        if not wait:  # the caller acts during start-up, then calls wait_ready
            return
        try:
            self.wait_ready(startup_timeout)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"serve exited with {self.process.returncode}:\n{self.log_text()[-3000:]}"
                )
            try:  # every worker has loaded the graph, not only the first to answer
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    if self.log_text().count("Application startup complete") >= self.workers:
                        return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"serve did not come up in {timeout:.0f} s:\n{self.log_text()[-3000:]}"
                )
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: uvicorn's spawned workers, or the server itself."""
        if self.workers <= 1:
            return [self.pid]
        return [c for c in children(self.pid) if "spawn_main" in cmdline(c)]

    def rss_kib(self) -> int:
        return sum(rss_kib(p) for p in self.worker_pids())

    def signal(self, sig: int) -> None:
        self.process.send_signal(sig)

    def stop(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_handle.close()
        if self._scratch is not None:
            self._scratch.cleanup()
        return self.process.returncode

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
