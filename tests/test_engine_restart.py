"""The Docker engine dies and comes back while tasks run (kept in its own file: it disturbs the
engine for everyone, so it runs once, with its own server, and must leave the engine up)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from service.settings import PROJECT_ROOT
from tests.client import bash
from tests.test_service import MakeServer


def _dockerd_pid() -> int:
    return int(subprocess.run(["pgrep", "-x", "-o", "dockerd"], capture_output=True, text=True, check=True).stdout)


def test_engine_restart_ends_running_tasks_and_recovers(make_server: MakeServer) -> None:
    server = make_server({"SANDPIT_POOL__MINIMUM": "1", "SANDPIT_WORKERS": "2"})
    running = [server.api.submit(bash("echo started; sleep 30"))["id"] for _ in range(2)]
    deadline = time.monotonic() + 10
    while not all(server.api.get(f"/task/{task}").json()["status"] == "running" for task in running):
        assert time.monotonic() < deadline
        time.sleep(0.05)

    os.kill(_dockerd_pid(), signal.SIGKILL)
    try:
        # While the engine is down, work that needs it is refused quickly with 503.
        deadline = time.monotonic() + 3
        while True:
            started = time.monotonic()
            response = server.api.post("/task", bash("echo hi"))
            assert time.monotonic() - started < 1.0
            if response.status_code == 503:
                break
            assert time.monotonic() < deadline, "no 503 while the engine is down"
            time.sleep(0.1)
        assert "engine" in response.json()["error"]
    finally:
        subprocess.run([str(PROJECT_ROOT / "scripts" / "ensure-docker.sh")], check=True, timeout=120)

    # Every task that was running has ended, with an error saying why or with its result.
    for task_id in running:
        task = server.api.wait(task_id, timeout=60)
        assert task["status"] in ("failed", "finished"), task
        if task["status"] == "failed":
            assert task["response"]["error"]["message"]

    # New tasks work again without restarting the service.
    deadline = time.monotonic() + 30
    while True:
        response = server.api.post("/execute", bash("echo back"))
        if response.status_code == 200:
            assert response.json()["run"]["stdout"] == "back\n"
            break
        assert response.status_code == 503 and time.monotonic() < deadline, response.text
        time.sleep(0.25)
