"""A small HTTP client for the tests: the API as a user calls it."""

from __future__ import annotations

import time
from typing import Any

import requests


def program(backend: str, file: str, source: str, **fields: Any) -> dict[str, Any]:
    """A request running one file with the backend's default commands."""
    return {"backend": backend, "files": {file: {"data": source}}, **fields}


def bash(script: str, **fields: Any) -> dict[str, Any]:
    return program("bash", "main.sh", script, **fields)


def python(source: str, **fields: Any) -> dict[str, Any]:
    return program("python3", "main.py", source, **fields)


class Api:
    """Calls one sandpit server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        if body is not None:
            kwargs["json"] = body
        return self.session.post(self.base + path, timeout=120, **kwargs)

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=30)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.base + path, timeout=30)

    def execute(self, body: Any) -> dict[str, Any]:
        """POST /execute, expecting 200; the result object."""
        response = self.post("/execute", body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def submit(self, body: Any) -> dict[str, Any]:
        """POST /task, expecting 202; the new task."""
        response = self.post("/task", body)
        assert response.status_code == 202, response.text
        task: dict[str, Any] = response.json()
        return task

    def wait(self, task_id: str, timeout: float = 120) -> dict[str, Any]:
        """Poll GET /task/{id} until it has a finishedAt, as RCCVM's clients do."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = self.get(f"/task/{task_id}")
            assert response.status_code == 200, response.text
            task: dict[str, Any] = response.json()
            if "finishedAt" in task:
                return task
            time.sleep(0.05)
        raise AssertionError(f"task {task_id} did not finish in {timeout} s")

    def run(self, body: Any) -> dict[str, Any]:
        """Submit and poll; the finished task."""
        return self.wait(self.submit(body)["id"])
