"""Prometheus metrics of one service instance."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Buckets in seconds from a pooled python3 task (~25 ms) to the longest compile (120 s).
DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
START_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 5)


class Metrics:
    """The service's counters, gauges and histograms, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.tasks = Counter(
            "sandpit_tasks", "Tasks ended, by backend and final status", ["backend", "status"], registry=self.registry
        )
        self.stage_status = Counter(
            "sandpit_stages",
            "Stages ended, by backend, stage and status",
            ["backend", "stage", "status"],
            registry=self.registry,
        )
        self.queue_depth = Gauge("sandpit_queue_depth", "Tasks waiting for a worker", registry=self.registry)
        self.running = Gauge("sandpit_running_tasks", "Tasks running now", registry=self.registry)
        self.ready = Gauge(
            "sandpit_ready_containers", "Containers started and waiting for a task", registry=self.registry
        )
        self.stage_seconds = Histogram(
            "sandpit_stage_duration_seconds",
            "Wall-clock time of stages",
            ["backend", "stage"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.container_start = Histogram(
            "sandpit_container_start_seconds",
            "Time to create, attach and start a container",
            buckets=START_BUCKETS,
            registry=self.registry,
        )
        self.pool_hits = Counter(
            "sandpit_pool_takes", "Tasks by whether a ready container was waiting", ["ready"], registry=self.registry
        )
        self.rejected = Counter("sandpit_rejected", "Submissions refused with 429 (queue full)", registry=self.registry)
        self.engine_errors = Counter(
            "sandpit_engine_errors", "Failures talking to the container engine", registry=self.registry
        )

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
