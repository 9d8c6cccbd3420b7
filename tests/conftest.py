"""Real-Docker fixtures: one sandpit server for the session, reached over HTTP on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import pytest
import requests

from service.sandbox import LABEL_OWNER, owner_label
from service.settings import PROJECT_ROOT
from tests.client import Api


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A `python -m service` process with its own port, work directory and log."""

    def __init__(self, work: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.work_dir = work / "tasks"
        self.log_path = work / "service.log"
        self.env = {
            **os.environ,
            "SANDPIT_PORT": str(self.port),
            "SANDPIT_WORK_DIR": str(self.work_dir),
            "SANDPIT_BYPASS_TASK_QUEUE": "true",
            "SANDPIT_SHUTDOWN_GRACE": "2",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.api = Api(f"http://127.0.0.1:{self.port}")
        self.owner = owner_label(self.work_dir)

    def start(self, timeout: float = 60) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service"], cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.api.base}/backends", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.process.kill()
        self.process.wait()
        raise RuntimeError("the service did not answer in time")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


def labelled_containers(owner: str) -> list[dict[str, Any]]:
    """Containers of one service instance, with their state."""
    client = docker.APIClient(version="1.41")
    try:
        return list(client.containers(all=True, filters={"label": f"{LABEL_OWNER}={owner}"}))
    finally:
        client.close()


def assert_no_leaks(server: Server, settle: float = 15.0) -> None:
    """Nothing of a finished task is left: every container of ours is a ready one, idle.

    A ready container runs only the runner (one process) and owns one task directory; a
    container of a finished task, or a task directory without its container, is a leak.
    """
    client = docker.APIClient(version="1.41")
    deadline = time.monotonic() + settle
    problems: list[str] = []
    try:
        while True:
            problems = []
            containers = labelled_containers(server.owner)
            for container in containers:
                if container["State"] != "running":
                    problems.append(f"container {container['Id'][:12]} is {container['State']}")
                    continue
                try:
                    processes = client.top(container["Id"])["Processes"] or []
                except docker.errors.APIError:
                    problems.append(f"container {container['Id'][:12]} stopped while looked at")
                    continue
                if len(processes) != 1:
                    problems.append(f"container {container['Id'][:12]} runs {len(processes)} processes")
            directories = list(server.work_dir.iterdir()) if server.work_dir.exists() else []
            if len(directories) != len(containers):
                problems.append(f"{len(directories)} task directories for {len(containers)} containers")
            if not problems or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        client.close()
    assert not problems, problems


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The session's service; at the end it must stop cleanly and leave nothing behind."""
    instance = Server(tmp_path_factory.mktemp("sandpit"))
    instance.start()
    try:
        yield instance
    finally:
        code = instance.stop()
    assert code == 0, instance.log_path.read_text()[-3000:]
    assert labelled_containers(instance.owner) == []
    assert list(instance.work_dir.iterdir()) == []


@pytest.fixture
def api(server: Server) -> Iterator[Api]:
    """The session service's API; after each test, nothing may be left of its tasks."""
    yield server.api
    assert_no_leaks(server)


QUIET_POOL = {"SANDPIT_POOL__MINIMUM": "0"}


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Private servers (own port, work directory and label); each must end clean and leave nothing."""
    started: list[Server] = []

    def factory(env: dict[str, str] | None = None) -> Server:
        instance = Server(tmp_path / f"s{len(started)}", {**QUIET_POOL, **(env or {})})
        instance.work_dir.parent.mkdir(parents=True, exist_ok=True)
        started.append(instance)
        instance.start()
        return instance

    yield factory
    problems: list[str] = []
    for instance in started:
        assert instance.process is not None
        if instance.process.poll() is None:
            try:
                assert_no_leaks(instance)
            except Exception as error:  # a leak, or the engine gone: the server must still stop
                problems.append(f"leak before shutdown: {error}")
            try:
                code = instance.stop(signal.SIGTERM)
            except subprocess.TimeoutExpired:
                instance.process.kill()
                code = instance.process.wait()
            if code != 0:
                problems.append(f"exit code {code}: {instance.log_path.read_text()[-3000:]}")
        if labelled_containers(instance.owner):
            problems.append("containers left after shutdown")
        if instance.work_dir.exists() and list(instance.work_dir.iterdir()):
            problems.append("task directories left after shutdown")
    assert not problems, problems
