"""A small HTTP/1.1 load generator on raw asyncio streams (uvloop when installed), loopback only.

Two modes, both bounded in time and in requests:
- closed loop: `connections` keep-alive connections, each sending its next request as soon as
  the last answer arrived, for `seconds`: the throughput a server sustains.
- open loop: requests scheduled at a fixed rate whatever the server does; a request's latency is
  counted from the moment it was *scheduled*, so a server that falls behind is charged for the
  queue it builds (no coordinated omission). Connections are taken from a pool and opened on
  demand up to `max_connections`.

Raw streams rather than httpx: the client shares the machine's two cores with the server, and a
lighter client leaves more of them to the server it measures.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

try:
    import uvloop
except ImportError:  # pragma: no cover - uvicorn[standard] brings it
    uvloop = None

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class LoadResult:
    sent: int = 0
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    late_s: float = 0.0  # open loop: how far behind schedule the client itself fell at worst

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def record(self, status: int, latency_s: float) -> None:
        """One answered request of the measured window: 200 counts with its latency, else an
        error."""
        self.sent += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 200:
            self.ok += 1
            self.latencies_s.append(latency_s)
        else:
            self.errors += 1

    def add(self, part: LoadResult) -> None:
        """Count another measurement (a round) into this one."""
        self.sent += part.sent
        self.ok += part.ok
        self.errors += part.errors
        self.seconds += part.seconds
        self.latencies_s.extend(part.latencies_s)
        for status, count in part.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.late_s = max(self.late_s, part.late_s)


def post(path: str, body: bytes, host: str = "127.0.0.1", port: int = 80) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
            break
    if length is None:
        raise ValueError("response without Content-Length")
    body = await reader.readexactly(length)
    return status, body


async def fetch(host: str, port: int, request: bytes, timeout: float = 30.0) -> tuple[int, bytes]:
    """One request on its own connection (for checks, not for load)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        return await asyncio.wait_for(_exchange(reader, writer, request), timeout)
    finally:
        writer.close()


async def closed_loop(
    host: str,
    port: int,
    request: bytes,
    connections: int,
    seconds: float,
    warmup: float = 1.0,
    ramp: float = 0.0,
) -> LoadResult:
    """`ramp`: open the connections one after another over this many seconds (within the warmup),
    as clients arrive, rather than all at once: a burst of connections lands on whichever server
    worker happens to accept first (uvicorn's workers share one listening socket), which is not what
    a server sees from many clients."""
    _check(host)
    result = LoadResult()
    start = time.perf_counter()
    measure_from = start + warmup
    deadline = measure_from + seconds

    async def worker(n: int) -> None:
        if ramp:
            await asyncio.sleep(n * ramp / connections)
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                sent = time.perf_counter()
                if sent >= deadline:
                    return
                try:
                    status, _ = await asyncio.wait_for(_exchange(reader, writer, request), 30)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    if sent >= measure_from:
                        result.errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                done = time.perf_counter()
                if sent >= measure_from and done <= deadline:
                    result.record(status, done - sent)
        finally:
            writer.close()

    await asyncio.gather(*(worker(n) for n in range(connections)))
    result.seconds = seconds
    return result


async def open_loop(
    host: str,
    port: int,
    request: bytes,
    rate: float,
    seconds: float,
    max_connections: int = 64,
    warmup: float = 1.0,
) -> LoadResult:
    _check(host)
    result = LoadResult()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    opened = 0
    available = asyncio.Condition()
    tasks: set[asyncio.Task[None]] = set()
    interval = 1.0 / rate
    total = int((warmup + seconds) * rate)
    warm = int(warmup * rate)
    start = time.perf_counter() + 0.05

    async def connection() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        nonlocal opened
        async with available:
            while not idle and opened >= max_connections:
                await available.wait()
            if idle:
                return idle.pop()
            opened += 1
        return await asyncio.open_connection(host, port)

    async def release(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
        nonlocal opened
        async with available:
            if conn is None:
                opened -= 1
            else:
                idle.append(conn)
            available.notify()

    async def one(n: int, scheduled: float) -> None:
        conn = await connection()
        try:
            status, _ = await asyncio.wait_for(_exchange(*conn, request), 30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            conn[1].close()
            await release(None)
            if n >= warm:
                result.errors += 1
            return
        done = time.perf_counter()
        await release(conn)
        if n >= warm:
            result.record(status, done - scheduled)

    for n in range(total):
        scheduled = start + n * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            result.late_s = max(result.late_s, -delay)
        task = asyncio.create_task(one(n, scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=60)
    for reader_writer in idle:
        reader_writer[1].close()
    result.seconds = seconds
    return result


def run(coroutine):  # noqa: ANN001, ANN201
    """Run a load coroutine on uvloop when it is installed."""
    if uvloop is not None:
        return uvloop.run(coroutine)
    return asyncio.run(coroutine)


def _check(host: str) -> None:
    if host not in LOOPBACK:
        raise ValueError(f"the load generator only targets loopback addresses, not {host}")
