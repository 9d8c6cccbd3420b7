"""The task registry: tasks in a dict, a bounded FIFO queue and a fixed set of workers."""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from service.errors import EngineUnavailable, NotFound, QueueFull, Unavailable
from service.jobs import iso, to_result
from service.metrics import Metrics
from service.models import ErrorDetail, Result, TaskView
from service.sandbox import Execution, Job, Sandbox

log = logging.getLogger(__name__)

Status = Literal["queued", "running", "finished", "cancelled", "failed"]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class Task:
    """One submitted task and what became of it."""

    job: Job
    listed: bool = True  # False for POST /execute's tasks, which have no id to poll
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    status: Status = "queued"
    terminated: bool = False
    result: Result | None = None
    execution: Execution | None = None
    cancel_requested: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event)
    finished_monotonic: float = 0.0
    sandbox_seconds: float = 0.0  # time spent in the sandbox, for Server-Timing

    def view(self) -> dict[str, Any]:
        """The task as the API shows it; fields without a value are left out."""
        return TaskView(
            id=self.id,
            createdAt=iso(self.created_at) or "",
            startedAt=iso(self.started_at),
            finishedAt=iso(self.finished_at),
            terminated=self.terminated,
            status=self.status,
            response=self.result,
        ).model_dump(exclude_none=True)

    def finish(self, status: Status, result: Result | None, terminated: bool) -> None:
        self.status, self.result, self.terminated = status, result, terminated
        self.finished_at = _now()
        self.finished_monotonic = time.monotonic()
        self.done.set()
        self.job = _released(self.job)


def _released(job: Job) -> Job:
    # A finished task keeps its result, not its files: the registry's memory stays small.
    return Job(job.backend, {}, [], job.memory_mib, job.processes, job.output_bytes)


class TaskRegistry:
    """Accepts tasks into a bounded queue, runs them on `workers` workers, forgets them after a TTL."""

    def __init__(
        self, sandbox: Sandbox, metrics: Metrics, workers: int, queue_size: int, task_ttl: float, max_tasks: int
    ) -> None:
        self.sandbox = sandbox
        self.metrics = metrics
        self.workers = workers
        self.task_ttl = task_ttl
        self.max_tasks = max(max_tasks, queue_size + workers)
        self.tasks: dict[str, Task] = {}
        self.queue: asyncio.Queue[Task] = asyncio.Queue(maxsize=queue_size)
        self.running: set[Task] = set()
        self.closing = False
        self._workers: list[asyncio.Task[None]] = []
        self._durations: deque[float] = deque(maxlen=50)
        self._last_expiry = 0.0
        metrics.queue_depth.set_function(self.queue.qsize)
        metrics.running.set_function(lambda: len(self.running))

    async def start(self) -> None:
        self._workers = [asyncio.create_task(self._work(), name=f"worker-{n}") for n in range(self.workers)]

    async def close(self, grace: float) -> None:
        """Take no more tasks, cancel queued ones, give running ones `grace` seconds, then kill them."""
        if self.closing:
            return
        self.closing = True
        while not self.queue.empty():
            task = self.queue.get_nowait()
            if task.status == "queued":
                task.finish("cancelled", None, terminated=True)
        if self.running:
            await asyncio.wait([asyncio.create_task(task.done.wait()) for task in self.running], timeout=grace)
        for task in list(self.running):
            log.info("task %s: killed at shutdown", task.id)
            self.stop(task)
        if self.running:
            await asyncio.wait([asyncio.create_task(task.done.wait()) for task in self.running], timeout=10)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)

    def retry_after(self) -> int:
        """Seconds until a queue slot is likely free, from recent task durations."""
        typical = sorted(self._durations)[len(self._durations) // 2] if self._durations else 1.0
        return max(1, math.ceil(self.queue.qsize() * typical / self.workers))

    def submit(self, job: Job, listed: bool = True) -> Task:
        """Queue a task; 429 when the queue is full, 503 while shutting down."""
        if self.closing:
            raise Unavailable("the server is shutting down")
        self._expire()
        task = Task(job, listed=listed)
        try:
            self.queue.put_nowait(task)
        except asyncio.QueueFull:
            self.metrics.rejected.inc()
            raise QueueFull(
                "the queue is full; retry after the time in Retry-After",
                headers={"Retry-After": str(self.retry_after())},
            ) from None
        if listed:
            self.tasks[task.id] = task
        log.info("task %s: queued (%s)", task.id, job.backend.name)
        return task

    def get(self, task_id: str) -> Task:
        """A listed task by id; 404 if unknown or expired."""
        task = self.tasks.get(task_id)
        if task is None or self._expired(task):
            raise NotFound("no such task (unknown id, or it expired)")
        return task

    def stop(self, task: Task) -> None:
        """End a task now: a queued one is cancelled, a running one's container is killed."""
        if task.status == "queued":
            task.finish("cancelled", None, terminated=True)
            log.info("task %s: cancelled while queued", task.id)
        elif task.status == "running":
            task.cancel_requested = True
            if task.execution:
                task.execution.kill()

    async def cancel(self, task_id: str) -> Task:
        """Cancel a queued task or kill a running one; answers once it has ended."""
        task = self.get(task_id)
        self.stop(task)
        try:
            await asyncio.wait_for(task.done.wait(), timeout=10)
        except TimeoutError:
            log.warning("task %s: still running 10 s after its kill", task.id)
        return task

    def _expired(self, task: Task) -> bool:
        return bool(task.finished_monotonic) and time.monotonic() - task.finished_monotonic > self.task_ttl

    def _expire(self) -> None:
        # A scan of the whole registry at most once a second, not on every submission; get()
        # hides an expired task meanwhile. Insertion order is creation order: oldest first.
        now = time.monotonic()
        if now - self._last_expiry >= 1.0:
            self._last_expiry = now
            for task_id in [task_id for task_id, task in self.tasks.items() if self._expired(task)]:
                del self.tasks[task_id]
        if len(self.tasks) >= self.max_tasks:
            finished = [task_id for task_id, task in self.tasks.items() if task.finished_at]
            for task_id in finished[: len(self.tasks) - self.max_tasks + 1]:
                del self.tasks[task_id]

    async def _work(self) -> None:
        while True:
            task = await self.queue.get()
            if task.status != "queued":
                continue  # cancelled while it waited
            await self._run(task)

    async def _run(self, task: Task) -> None:
        task.status, task.started_at = "running", _now()
        task.execution = self.sandbox.execution(task.job)
        self.running.add(task)
        started = time.monotonic()
        log.info("task %s: running", task.id)
        try:
            outcome = await task.execution.run()
            result = to_result(outcome)
            if task.cancel_requested:
                status: Status = "cancelled"
            elif outcome.error_type:
                status = "failed"
            else:
                status = "finished"
            task.finish(status, result, terminated=outcome.terminated or task.cancel_requested)
        except EngineUnavailable as error:
            task.finish("failed", Result(error=ErrorDetail(type="EngineUnavailable", message=str(error))), False)
        except Exception:
            log.exception("task %s: the service failed", task.id)
            message = "the service failed while running this task; the server log has the details"
            task.finish("failed", Result(error=ErrorDetail(type="InternalError", message=message)), False)
        finally:
            self.running.discard(task)
            task.sandbox_seconds = time.monotonic() - started
            self._durations.append(task.sandbox_seconds)
        self._record(task)
        log.info("task %s: %s%s", task.id, task.status, " (terminated)" if task.terminated else "")

    def _record(self, task: Task) -> None:
        backend = task.job.backend.name
        self.metrics.tasks.labels(backend=backend, status=task.status).inc()
        if task.result is None:
            return
        for name, stage in (("compile", task.result.compile), ("run", task.result.run)):
            if stage is not None:
                self.metrics.stage_seconds.labels(backend=backend, stage=name).observe(stage.durationMs / 1000)
                self.metrics.stage_status.labels(backend=backend, stage=name, status=stage.status).inc()
