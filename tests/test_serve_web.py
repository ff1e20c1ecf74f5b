"""What an integrator of the server expects (issue 17): the port from `make run PORT=...` or
GUIDELINE_KG_PORT, a taken port refused at once, readiness apart from liveness, and request metrics
in the Prometheus text format with nothing of a request's content."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from starlette.datastructures import Secret

from graphql_api.app import create_app
from graphql_api.settings import Settings
from loadtest.server import LOOPBACK, Server, serve_command

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
MINI = Path(__file__).resolve().parent / "data" / "graph"
SETTINGS = Settings(data_dir=MINI, admin_token=Secret("s3cret"))
SECRET = "Jane-Q-Worker-1961"  # stands for health information a request may carry


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(SETTINGS)) as client:
            yield client


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', head))
        if head.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


def test_readiness_is_the_graph_loaded_and_checked(client: TestClient) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "version": client.get("/healthz").json()["version"]}


def test_metrics_count_requests_by_route_with_nothing_of_their_content(client: TestClient) -> None:
    before = client.get("/metrics").text
    query = f'{{ treatment(id: "{SECRET}") {{ id }} }}'
    for _ in range(3):
        assert client.post("/graphql", json={"query": query}).status_code == 200
    assert client.get(f"/graphql?query={query}").status_code == 200
    assert client.get(f"/no/such/{SECRET}").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    after = response.text
    assert SECRET not in after and "Jane" not in after
    posts = dict(method="POST", route="/graphql", status="200")
    total = "guideline_kg_http_requests_total"
    assert sample(after, total, **posts) - sample(before, total, **posts) == 3
    gets = dict(method="GET", route="/graphql", status="200")
    assert sample(after, total, **gets) - sample(before, total, **gets) == 1
    lost = dict(method="GET", route="/{path}", status="404")  # the explorer's mount, by template
    assert sample(after, total, **lost) - sample(before, total, **lost) == 1
    count = "guideline_kg_http_request_duration_seconds_count"
    assert (
        sample(after, count, method="POST", route="/graphql")
        - sample(before, count, method="POST", route="/graphql")
        == 3
    )
    assert "# TYPE guideline_kg_http_request_duration_seconds histogram" in after


def test_metrics_count_reloads_by_outcome(client: TestClient) -> None:
    before = client.get("/metrics").text
    response = client.post("/admin/reload", headers={"authorization": "Bearer s3cret"})
    assert response.status_code == 200
    after = client.get("/metrics").text
    name = "guideline_kg_graph_reloads_total"
    assert sample(after, name, outcome="reloaded") - sample(before, name, outcome="reloaded") == 1


def test_a_reload_refused_is_counted_as_kept(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "graph"
    shutil.copytree(MINI, data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(replace(SETTINGS, data_dir=data))) as client:
            before = client.get("/metrics").text
            for ttl in data.glob("*.ttl"):
                ttl.write_text("this is not Turtle", encoding="utf-8")
            response = client.post("/admin/reload", headers={"authorization": "Bearer s3cret"})
            assert response.status_code == 409
            assert client.get("/readyz").status_code == 200  # the last good graph still serves
            after = client.get("/metrics").text
    name = "guideline_kg_graph_reloads_total"
    assert sample(after, name, outcome="kept") - sample(before, name, outcome="kept") == 1


def _taken_port() -> socket.socket:
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind((LOOPBACK, 0))
    holder.listen(1)
    return holder


@pytest.mark.parametrize("how", ["--port", "GUIDELINE_KG_PORT"])
def test_a_taken_port_fails_at_once_before_the_graph_loads(tmp_path: Path, how: str) -> None:
    with _taken_port() as holder:
        port = str(holder.getsockname()[1])
        args = ["--port", port] if how == "--port" else []
        env = {"GUIDELINE_KG_HOST": LOOPBACK, "GUIDELINE_KG_CACHE_DIR": str(tmp_path)}
        if how == "GUIDELINE_KG_PORT":
            env["GUIDELINE_KG_PORT"] = port
        done = subprocess.run(
            [*serve_command(), "serve", *args],
            env={**_base_env(), **env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1, done.stderr
    assert f"port {port} on {LOOPBACK} is already in use" in done.stderr
    assert "--port" in done.stderr and "GUIDELINE_KG_PORT" in done.stderr
    output = done.stdout + done.stderr
    assert "Started server process" not in output and "loaded" not in output


def test_the_port_setting_is_the_port_served(tmp_path: Path) -> None:
    """GUIDELINE_KG_PORT alone (no --port) decides where the server listens."""
    from loadtest.server import free_port

    port = free_port()
    process = subprocess.Popen(
        [*serve_command(), "serve"],
        env={**_base_env(), "GUIDELINE_KG_PORT": str(port), "GUIDELINE_KG_DATA_DIR": str(MINI)},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answer = None
        for _ in range(600):
            try:
                answer = httpx.get(f"http://{LOOPBACK}:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    break
                subprocess.run(["sleep", "0.1"], check=True)
        assert answer is not None and answer.status_code == 200, process.poll()
    finally:
        process.terminate()
        process.wait(20)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["PORT=8080"], "--port 8080"),
        (["PORT=8080", "HOST=0.0.0.0"], "--host 0.0.0.0 --port 8080"),
        ([], None),  # no flag: GUIDELINE_KG_PORT (or the default) decides
    ],
)
def test_make_run_takes_the_port(given: list[str], expected: str | None) -> None:
    # -n prints the commands without running any (nor the install the venv's stamp may ask for)
    done = subprocess.run(
        ["make", "-n", "-s", "run", *given],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={k: v for k, v in _base_env().items() if k not in ("PORT", "HOST")},
        check=True,
    )
    serve = [line for line in done.stdout.splitlines() if "guideline-kg serve" in line]
    assert len(serve) == 1, done.stdout
    if expected is None:
        assert "--port" not in serve[0] and "--host" not in serve[0]
    else:
        assert serve[0].rstrip().endswith(expected), serve[0]


def test_metrics_add_up_every_worker(tmp_path: Path) -> None:
    """Under --workers 2 a scrape reaches one worker and reports the whole server's requests."""
    env = {"GUIDELINE_KG_CACHE_DIR": str(tmp_path / "cache")}
    with Server(workers=2, data_dir=MINI, env=env, cwd=tmp_path) as server:
        with httpx.Client(base_url=server.base, timeout=10) as http:
            for _ in range(20):  # a new connection each: the kernel spreads them over the workers
                assert httpx.get(f"{server.base}/readyz", timeout=10).status_code == 200
            text = http.get("/metrics").text
    assert sample(text, "guideline_kg_http_requests_total", route="/readyz", status="200") >= 20


def _base_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("GUIDELINE_KG_PORT", None)
    env["PYTHONPATH"] = str(ROOT)
    env.setdefault("PATH", str(Path(sys.executable).parent))
    return env
