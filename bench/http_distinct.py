"""Row 3c-3d: the server CPU of a GraphQL request that does not repeat, against the plain endpoint.

Distinct requests (bench/traffic.py) are sent one after another on one keep-alive connection to
each server in alternating rounds; the CPU the server's processes spent meanwhile (the sum of
every thread's run time, /proc/<pid>/task/*/schedstat, in ns) divided by the requests is the
figure. 3c sends the GraphQL query with the request as variables (one query text, distinct
variables); 3d sends each request as a distinct query text (the values inlined), which costs a
parse and a validation each, and is reported only. The ratio is the median of the rounds' own
ratios, as row 3a's (a burst of other work on the shared machine during one server's part of a
round moves that round's ratio, not the median); the figures sum all rounds.
"""

from __future__ import annotations

import asyncio
import json
import statistics
from pathlib import Path
from typing import Any

import orjson

from bench import loadgen
from bench.common import Row
from bench.traffic import Request
from bench.workload import GRAPHQL_QUERY

HOST = "127.0.0.1"


def request_input(r: Request) -> dict[str, Any]:
    q = r.request
    facts = {"dateOfInjury": q.facts.date_of_injury.isoformat()} if q.facts.date_of_injury else {}
    return {
        "date": q.date.isoformat(),
        "diagnoses": list(q.diagnoses),
        "services": [{"text": s.text} for s in q.services],
        "facts": facts,
    }


def _literal(value: Any) -> str:
    """A JSON value as a GraphQL input literal (object keys unquoted)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return json.dumps(value)


def bodies(traffic: list[Request], port: int, plain_port: int) -> dict[str, list[bytes]]:
    inline = GRAPHQL_QUERY.replace("query Resolve($input: ResolveInput!)", "query Resolve")
    out: dict[str, list[bytes]] = {"variables": [], "text": [], "plain": []}
    for r in traffic:
        data = request_input(r)
        out["variables"].append(
            loadgen.post(
                "/graphql",
                orjson.dumps({"query": GRAPHQL_QUERY, "variables": {"input": data}}),
                HOST,
                port,
            )
        )
        query = inline.replace("resolve(input: $input)", f"resolve(input: {_literal(data)})")
        out["text"].append(loadgen.post("/graphql", orjson.dumps({"query": query}), HOST, port))
        out["plain"].append(
            loadgen.post("/resolve", orjson.dumps({"input": data}), HOST, plain_port)
        )
    return out


def cpu_ns(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
    return total


def _send_all(port: int, requests: list[bytes]) -> int:
    """Send one after another on one connection; the number of answers that were not 200 or
    carried GraphQL errors."""

    async def go() -> int:
        reader, writer = await asyncio.open_connection(HOST, port)
        bad = 0
        try:
            for request in requests:
                status, body = await asyncio.wait_for(
                    loadgen._exchange(reader, writer, request), 60
                )
                if status != 200 or b'"errors"' in body:
                    bad += 1
        finally:
            writer.close()
        return bad

    return loadgen.run(go())


def rows_distinct_cpu(
    traffic: list[Request],
    ports: dict[str, int],
    pids: dict[str, list[int]],
    rounds: int = 8,
) -> list[Row]:
    made = bodies(traffic, ports["graphql"], ports["plain"])
    target = {"variables": "graphql", "text": "graphql", "plain": "plain"}
    spent = {k: 0 for k in made}
    sent = {k: 0 for k in made}
    bad = {k: 0 for k in made}
    size = -(-len(traffic) // rounds)
    ratios: dict[str, list[float]] = {"variables": [], "text": []}
    for n in range(rounds):
        order = ["plain", "variables", "text"] if n % 2 == 0 else ["text", "variables", "plain"]
        per_round: dict[str, float] = {}
        for kind in order:
            part = made[kind][n * size : (n + 1) * size]
            server = target[kind]
            before = cpu_ns(pids[server])
            bad[kind] += _send_all(ports[server], part)
            used = cpu_ns(pids[server]) - before
            spent[kind] += used
            sent[kind] += len(part)
            per_round[kind] = used / len(part) if part else 0.0
        for kind in ratios:
            if per_round.get("plain"):
                ratios[kind].append(per_round[kind] / per_round["plain"])
    per = {k: spent[k] / sent[k] if sent[k] else None for k in made}
    median = {k: statistics.median(v) if v else None for k, v in ratios.items()}
    details = {
        "requests": sent,
        "bad_answers": bad,
        "rounds": rounds,
        "round_ratios": {k: [round(r, 3) for r in v] for k, v in ratios.items()},
    }
    variables = Row(
        "3c",
        "GraphQL, distinct requests as variables: server CPU per request",
        per["variables"],
        "ns",
        floor=per["plain"],
        floor_name="plain endpoint, same requests",
        details=details,
    ).judge(3, ratio=median["variables"])
    text = Row(
        "3d",
        "GraphQL, distinct requests as distinct query text: server CPU per request",
        per["text"],
        "ns",
        floor=per["plain"],
        floor_name="plain endpoint, same requests",
        details=details,
    )
    text.ratio = median["text"]
    if bad["variables"] or bad["plain"]:
        variables.passed = False
    if bad["text"]:
        text.passed = False
    return [variables, text]
