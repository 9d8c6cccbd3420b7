"""`python -m bench`: sandpit against plain `docker run`, side by side, on this machine.

Starts its own sandpit (loopback, its own port and work directory), then interleaves the two
sides round by round so that the machine's noise hits both alike, and prints medians and ratios.
Loopback only; every task is checked for the right output.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import Service, percentile, table

PYTHON = {"backend": "python3", "files": {"main.py": {"data": "print(6*7)\n"}}}
GCC_SOURCE = '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n'
GCC = {"backend": "gcc", "files": {"main.c": {"data": GCC_SOURCE}}}


class Bench:
    def __init__(self, service: Service, scratch: Path) -> None:
        self.service = service
        self.scratch = scratch
        self.local = threading.local()

    def connection(self) -> http.client.HTTPConnection:
        if not hasattr(self.local, "connection"):
            self.local.connection = http.client.HTTPConnection("127.0.0.1", self.service.port, timeout=120)
        return self.local.connection  # type: ignore[no-any-return]

    # -- the service --------------------------------------------------------------------------

    def execute(self, body: dict[str, Any], expected: str) -> tuple[float, float]:
        """One POST /execute; (latency, the service's own share excluding the sandbox)."""
        started = time.perf_counter()
        status, result, headers = self.service.request("POST", "/execute", body, self.connection())
        elapsed = time.perf_counter() - started
        assert status == 200 and result["run"]["stdout"] == expected, result
        sandbox = float(headers["Server-Timing"].split("dur=")[1]) / 1000
        return elapsed, elapsed - sandbox

    def task(self, body: dict[str, Any], expected: str) -> float:
        """POST /task, then GET until finished, as a polling client does."""
        started = time.perf_counter()
        status, task, _ = self.service.request("POST", "/task", body, self.connection())
        assert status == 202, task
        while "finishedAt" not in task:
            time.sleep(0.005)
            _, task, _ = self.service.request("GET", f"/task/{task['id']}", None, self.connection())
        elapsed = time.perf_counter() - started
        assert task["response"]["run"]["stdout"] == expected, task
        return elapsed

    # -- plain docker run ---------------------------------------------------------------------

    def docker_run(self, image: str, files: dict[str, str], commands: list[list[str]], expected: str) -> float:
        """What a user would do by hand: one `docker run --rm --network none` per command."""
        work = Path(tempfile.mkdtemp(dir=self.scratch))
        try:
            for name, data in files.items():
                (work / name).write_text(data)
            os.chmod(work, 0o777)
            started = time.perf_counter()
            output = ""
            for command in commands:
                output = subprocess.run(
                    [
                        "docker",
                        "run",
                        "--rm",
                        "--network",
                        "none",
                        "-v",
                        f"{work}:/work",
                        "-w",
                        "/work",
                        "-u",
                        "1000:1000",
                        image,
                        *command,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            elapsed = time.perf_counter() - started
            assert output == expected, output
            return elapsed
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def docker_python(self) -> float:
        return self.docker_run("sandpit/python3:latest", {"main.py": "print(6*7)\n"}, [["python3", "main.py"]], "42\n")

    def docker_gcc(self) -> float:
        return self.docker_run(
            "sandpit/gcc:latest", {"main.c": GCC_SOURCE}, [["gcc", "main.c"], ["./a.out"]], "hello\n"
        )


def latency_rows(bench: Bench, rounds: int) -> tuple[list[list[str]], list[float]]:
    samples: dict[str, list[float]] = {
        name: [] for name in ("py-execute", "py-task", "py-docker", "gcc-execute", "gcc-task", "gcc-docker")
    }
    overheads: list[float] = []
    for _ in range(rounds):
        # Interleaved, one of each per round, so drift hits every column alike.
        elapsed, overhead = bench.execute(PYTHON, "42\n")
        samples["py-execute"].append(elapsed)
        overheads.append(overhead)
        samples["py-task"].append(bench.task(PYTHON, "42\n"))
        samples["py-docker"].append(bench.docker_python())
        elapsed, overhead = bench.execute(GCC, "hello\n")
        samples["gcc-execute"].append(elapsed)
        overheads.append(overhead)
        samples["gcc-task"].append(bench.task(GCC, "hello\n"))
        samples["gcc-docker"].append(bench.docker_gcc())
    rows = []
    for program, twin in (("py", "py-docker"), ("gcc", "gcc-docker")):
        base = statistics.median(samples[twin])
        for way in ("execute", "task", "docker"):
            values = samples[f"{program}-{way}"]
            label = {
                "execute": "POST /execute",
                "task": "POST /task + poll",
                "docker": "plain docker run" + ("" if program == "py" else " x2"),
            }[way]
            median = statistics.median(values)
            rows.append(
                [
                    f"{'python3 print(6*7)' if program == 'py' else 'gcc hello (compile+run)'}",
                    label,
                    f"{median * 1000:.0f}",
                    f"{percentile(values, 0.9) * 1000:.0f}",
                    f"{median / base:.2f}",
                ]
            )
    return rows, overheads


def throughput(run_one: Callable[[], Any], concurrency: int, count: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda _: run_one(), range(count)))
    return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15, help="latency rounds (each runs every variant once)")
    parser.add_argument("--throughput-tasks", type=int, default=40, help="tasks per throughput measurement")
    parser.add_argument("--memory-tasks", type=int, default=10000, help="tasks between the two memory readings")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="sandpit-bench-"))
    service = Service(scratch)
    bench = Bench(service, scratch)
    try:
        for _ in range(3):  # warm caches on both sides
            bench.execute(PYTHON, "42\n")
            bench.docker_python()
        rows, overheads = latency_rows(bench, args.rounds)
        print("\nLatency, ms (medians over", args.rounds, "interleaved rounds; ratio to plain docker run)\n")
        print(table(["program", "way", "p50", "p90", "ratio"], rows))

        print("\nThroughput, tasks/s (python3 print(6*7), all outputs checked)\n")
        throughput_rows = []
        for concurrency in (1, 2, 4, 8):
            ours = throughput(lambda: bench.execute(PYTHON, "42\n"), concurrency, args.throughput_tasks)
            theirs = throughput(bench.docker_python, concurrency, args.throughput_tasks)
            throughput_rows.append([str(concurrency), f"{ours:.1f}", f"{theirs:.1f}", f"{ours / theirs:.2f}"])
        print(table(["concurrency", "sandpit", "docker run", "ratio"], throughput_rows))

        print(
            f"\nService overhead per /execute (latency minus the sandbox's Server-Timing): "
            f"p50 {statistics.median(overheads) * 1000:.2f} ms, p90 {percentile(overheads, 0.9) * 1000:.2f} ms"
        )

        before = service.rss_mib()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda _: bench.execute(PYTHON, "42\n"), range(args.memory_tasks)))
        after = service.rss_mib()
        print(
            f"\nService memory (RSS): {before:.1f} MiB before, {after:.1f} MiB after {args.memory_tasks} tasks "
            f"({after - before:+.1f} MiB; {args.memory_tasks / (time.perf_counter() - started):.1f} tasks/s)"
        )
    finally:
        service.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
