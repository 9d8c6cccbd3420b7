"""Helpers of the attack suite: hostile programs loaded from programs/, the checks every case ends with.

Each attack is a file under programs/ whose first lines say how it works; a case runs it through
the HTTP API against real containers and asserts the exact outcome, that the service still answers
and that the next benign task is correct. The `api` fixture (tests/conftest.py) then checks that no
container or task directory was left behind.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker

from tests.client import Api
from tests.conftest import labelled_containers

PROGRAMS = Path(__file__).parent / "programs"

# How a program file is run: its backend and the file name that backend's default command expects.
BACKENDS = {
    ".sh": ("bash", "main.sh"),
    ".py": ("python3", "main.py"),
    ".c": ("gcc", "main.c"),
    ".cpp": ("cpp", "main.cpp"),
}


def source(name: str) -> str:
    """The text of programs/<name>."""
    return (PROGRAMS / name).read_text()


def attack(name: str, *args: str, backend: str | None = None, **fields: Any) -> dict[str, Any]:
    """A request running programs/<name>; `args` go after the file on its command line.

    By default the file's own backend runs it with that backend's default command; `backend`
    runs it in another backend's image (e.g. a shell script where python3 is installed).
    """
    suffix = Path(name).suffix
    default_backend, file = BACKENDS[suffix]
    body: dict[str, Any] = {"backend": backend or default_backend, "files": {file: {"data": source(name)}}, **fields}
    if args or backend not in (None, default_backend):
        interpreter = {".sh": "/bin/bash", ".py": "python3"}[suffix]
        body["run"] = {**body.get("run", {}), "argv": [interpreter, file, *args]}
    return body


def execute(api: Api, body: Any) -> dict[str, Any]:
    """POST /execute: 200 with a result object the service itself did not fail on."""
    response = api.post("/execute", body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert "error" not in result, result
    return result


def assert_next_task_works(api: Api) -> None:
    """The service still answers and runs a benign task correctly."""
    assert api.get("/backends").status_code == 200
    result = execute(api, {"backend": "bash", "files": {"main.sh": {"data": "echo ok\n"}}})
    assert set(result) == {"run"}
    run = result["run"]
    assert (run["status"], run["code"], run["stdout"], run["stderr"]) == ("ok", 0, "ok\n", "")


def assert_killed_at_time_limit(stage: dict[str, Any], seconds: float) -> None:
    """The stage was ended by its wall-clock limit, near that limit."""
    assert stage["status"] == "timeout", stage
    assert stage["signal"] == "SIGKILL" and stage["code"] == 137, stage
    assert seconds * 1000 - 50 <= stage["durationMs"] < seconds * 1000 + 1500, stage


def container_processes(owner: str) -> dict[str, list[list[str]]]:
    """Each running container of a service instance and its processes, as `docker top` lists them."""
    client = docker.APIClient(version="1.41")
    processes: dict[str, list[list[str]]] = {}
    try:
        for container in labelled_containers(owner):
            if container["State"] != "running":
                continue
            try:
                processes[container["Id"]] = client.top(container["Id"])["Processes"] or []
            except docker.errors.APIError:
                continue  # it ended while looked at
    finally:
        client.close()
    return processes


def free_bytes(path: Path) -> int:
    """Free space of the host filesystem holding `path`."""
    return shutil.disk_usage(path).free


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
