"""The service as a process: settings, queue limits, engine trouble, shutdown and crash recovery.

Each test starts its own server (its own port, work directory and container label) so that it can
break it without touching the session's server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from service.settings import PROJECT_ROOT
from tests.client import bash
from tests.conftest import Server, labelled_containers

MakeServer = Callable[..., Server]


def test_execute_is_404_unless_bypass_is_on(make_server: MakeServer) -> None:
    server = make_server({"SANDPIT_BYPASS_TASK_QUEUE": "false"})
    response = server.api.post("/execute", bash("echo hi"))
    assert response.status_code == 404
    assert "bypass_task_queue" in response.json()["error"]
    assert server.api.run(bash("echo hi"))["response"]["run"]["stdout"] == "hi\n"


def test_full_queue_answers_429_with_retry_after(make_server: MakeServer) -> None:
    server = make_server({"SANDPIT_WORKERS": "1", "SANDPIT_QUEUE_SIZE": "2"})
    accepted, rejected = [], []
    for _ in range(6):
        response = server.api.post("/task", bash("sleep 3", options={"timeLimit": 5}))
        (accepted if response.status_code == 202 else rejected).append(response)
    assert len(accepted) == 3  # one running, two queued
    assert {response.status_code for response in rejected} == {429}
    assert int(rejected[0].headers["Retry-After"]) >= 1
    assert "queue" in rejected[0].json()["error"]
    for response in accepted:
        assert server.api.delete(f"/task/{response.json()['id']}").json()["status"] == "cancelled"


def test_engine_unreachable_is_503_within_a_second(make_server: MakeServer, tmp_path: Path) -> None:
    server = make_server({"SANDPIT_DOCKER_URL": f"unix://{tmp_path}/no-engine.sock"})
    started = time.monotonic()
    response = server.api.post("/task", bash("echo hi"))
    assert time.monotonic() - started < 1.0
    assert response.status_code == 503
    assert "engine" in response.json()["error"]


def test_sigterm_ends_running_tasks_and_removes_containers(make_server: MakeServer) -> None:
    server = make_server({"SANDPIT_SHUTDOWN_GRACE": "1"})
    results: list[requests.Response] = []
    worker = threading.Thread(target=lambda: results.append(server.api.post("/execute", bash("sleep 30"))))
    worker.start()
    queued = server.api.submit(bash("sleep 30"))
    time.sleep(1.0)
    assert server.stop(signal.SIGTERM, timeout=30) == 0
    worker.join(timeout=30)
    assert labelled_containers(server.owner) == []
    assert list(server.work_dir.iterdir()) == []
    # The request in flight got an answer: its task ended by force.
    assert results and results[0].status_code == 200
    assert results[0].json()["run"]["signal"] == "SIGKILL"
    assert queued["status"] == "queued"


def test_restart_after_sigkill_removes_what_the_crash_left(make_server: MakeServer) -> None:
    server = make_server({"SANDPIT_POOL__MINIMUM": "1"})
    for _ in range(2):
        server.api.submit(bash("sleep 60"))
    time.sleep(1.5)
    assert labelled_containers(server.owner)
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL
    assert labelled_containers(server.owner)  # the crash left them
    server.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        containers = labelled_containers(server.owner)
        if all(container["State"] == "running" for container in containers) and len(
            list(server.work_dir.iterdir())
        ) == len(containers):
            break
        time.sleep(0.1)
    # Only fresh ready containers may exist now: none runs a task from before.
    assert all(container["State"] == "running" for container in labelled_containers(server.owner))
    assert server.api.execute(bash("echo back"))["run"]["stdout"] == "back\n"


def _start_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_bad_setting_stops_the_start_and_is_named() -> None:
    finished = _start_with({"SANDPIT_PORT": "not-a-port"})
    assert finished.returncode == 2
    assert "port" in finished.stderr


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("prot: 9900\n", "prot"),  # a typo of a setting's name
        ("limits:\n  timeLimit: {default: 100, minimum: 1, maximum: 60}\n", "timeLimit"),  # out of order
    ],
)
def test_a_bad_settings_file_stops_the_start_and_is_named(tmp_path: Path, content: str, named: str) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text(content)
    finished = _start_with({}, "--config", str(config))
    assert finished.returncode == 2
    assert named in finished.stderr


def test_finished_tasks_expire_after_the_ttl(make_server: MakeServer) -> None:
    server = make_server({"SANDPIT_TASK_TTL": "1"})
    task = server.api.run(bash("echo hi"))
    assert server.api.get(f"/task/{task['id']}").status_code == 200
    time.sleep(1.5)
    response = server.api.get(f"/task/{task['id']}")
    assert response.status_code == 404 and "expired" in response.json()["error"]


def test_the_registry_keeps_at_most_max_tasks(make_server: MakeServer) -> None:
    # The cap is at least queue + workers (here 3): older finished tasks make room for new ones.
    server = make_server({"SANDPIT_MAX_TASKS": "1", "SANDPIT_QUEUE_SIZE": "2", "SANDPIT_WORKERS": "1"})
    ids = [server.api.run(bash(f"echo {n}"))["id"] for n in range(5)]
    kept = [task_id for task_id in ids if server.api.get(f"/task/{task_id}").status_code == 200]
    assert kept == ids[-3:]
