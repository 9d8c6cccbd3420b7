"""What the benchmarks share: a sandpit process of their own, percentiles, tables."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Service:
    """A sandpit process for the benchmark."""

    def __init__(self, work: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = {
            **os.environ,
            "SANDPIT_PORT": str(self.port),
            "SANDPIT_WORK_DIR": str(work / "tasks"),
            "SANDPIT_BYPASS_TASK_QUEUE": "true",
            "SANDPIT_LOG_LEVEL": "WARNING",
        }
        self.log = (work / "service.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/backends")[0] == 200:
                    time.sleep(2)  # let the ready pool fill
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("sandpit did not start")

    def request(
        self, method: str, path: str, body: Any = None, connection: http.client.HTTPConnection | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        own = connection is None
        connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=json.dumps(body) if body is not None else None)
            response = connection.getresponse()
            data = response.read()
            return response.status, json.loads(data) if data else None, dict(response.getheaders())
        finally:
            if own:
                connection.close()

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[column])) for row in [header, *rows]) for column in range(len(header))]
    lines = [
        "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in [header, *rows]
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)
