"""Load: 500 tasks from 32 concurrent clients, a tenth of them hostile, against a small queue.

Every accepted task must reach a terminal state with the right result, a full queue must answer
429 with Retry-After (never a 5xx), clients that honour it must all get in eventually, and
nothing may be left at the end (make_server's teardown checks containers and task directories).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import requests

from tests.conftest import Server
from tests.hostile.conftest import attack

TASKS = 500
CLIENTS = 32
DEADLINE_S = 300

# Every tenth task is hostile; each kind with the status it must end with.
HOSTILE: list[tuple[dict[str, Any], str]] = [
    (attack("fork_bomb.sh", options={"timeLimit": 1, "processLimit": 16}), "timeout"),
    (attack("busy_loop.sh", options={"timeLimit": 1}), "timeout"),
    (attack("memory_bomb.py", options={"memoryLimit": 32, "timeLimit": 5}), "memory"),
]


def _request(n: int) -> tuple[dict[str, Any], str, str | None]:
    """Task n's body, the run status it must end with and, for a benign one, its stdout."""
    if n % 10 == 9:
        body, status = HOSTILE[(n // 10) % len(HOSTILE)]
        return body, status, None
    return {"backend": "bash", "files": {"main.sh": {"data": f"echo task-{n}\n"}}}, "ok", f"task-{n}\n"


class Load:
    def __init__(self, base: str) -> None:
        self.base = base
        self.next = 0
        self.lock = threading.Lock()
        self.codes: Counter[int] = Counter()
        self.problems: list[str] = []
        self.finished: dict[int, dict[str, Any]] = {}

    def take(self) -> int | None:
        with self.lock:
            if self.next >= TASKS:
                return None
            self.next += 1
            return self.next - 1

    def note(self, code: int) -> None:
        with self.lock:
            self.codes[code] += 1

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    def client(self) -> None:
        with requests.Session() as session:
            try:
                while (n := self.take()) is not None:
                    self.one(session, n)
            except Exception as error:  # reported by the test, not lost in a thread
                self.problem(f"client failed: {error!r}")

    def one(self, session: requests.Session, n: int) -> None:
        body, _, _ = _request(n)
        deadline = time.monotonic() + DEADLINE_S
        while True:
            response = session.post(f"{self.base}/task", json=body, timeout=60)
            self.note(response.status_code)
            if response.status_code == 202:
                break
            if response.status_code != 429:
                self.problem(f"task {n}: POST /task answered {response.status_code}: {response.text[:200]}")
                return
            retry_after = response.headers.get("Retry-After", "")
            if not retry_after.isdigit() or int(retry_after) < 1:
                self.problem(f"task {n}: 429 without a usable Retry-After: {retry_after!r}")
            if time.monotonic() > deadline:
                self.problem(f"task {n}: never accepted")
                return
            time.sleep(min(int(retry_after or 1), 0.5))
        task_id = response.json()["id"]
        while time.monotonic() < deadline:
            response = session.get(f"{self.base}/task/{task_id}", timeout=60)
            if response.status_code != 200:
                self.problem(f"task {n}: GET answered {response.status_code}: {response.text[:200]}")
                return
            task = response.json()
            if "finishedAt" in task:
                with self.lock:
                    self.finished[n] = task
                return
            time.sleep(0.2)
        self.problem(f"task {n}: not finished in {DEADLINE_S} s")


def test_500_tasks_at_concurrency_32_with_hostile_ones(make_server: Callable[..., Server]) -> None:
    server = make_server({"SANDPIT_QUEUE_SIZE": "16"})
    load = Load(server.api.base)
    started = time.monotonic()
    clients = [threading.Thread(target=load.client, name=f"client-{n}") for n in range(CLIENTS)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=DEADLINE_S + 60)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in clients), "clients still running"
    assert not load.problems, load.problems[:10]
    # Excess submissions met a full queue: 429s happened, and nothing but 202 and 429 came back.
    assert set(load.codes) == {202, 429}, load.codes
    assert load.codes[202] == TASKS
    assert len(load.finished) == TASKS
    wrong = []
    for n, task in sorted(load.finished.items()):
        _, status, stdout = _request(n)
        run = task.get("response", {}).get("run", {})
        if task["status"] != "finished" or run.get("status") != status or (stdout and run.get("stdout") != stdout):
            wrong.append((n, task["status"], task.get("response")))
    assert not wrong, wrong[:5]
    assert elapsed < DEADLINE_S
    assert server.api.get("/backends").status_code == 200
    print(f"{TASKS} tasks in {elapsed:.1f} s; answers {dict(load.codes)}")
