"""`python -m bench.languages`: each backend's version, image size and hello-world p50 through
POST /execute on this machine (the README's backend table)."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Service, table
from service.backends import load_backends
from service.settings import PROJECT_ROOT
from tests.programs import PROGRAMS


def image_size(image: str) -> str:
    size = int(
        subprocess.run(
            ["docker", "image", "inspect", "--format", "{{.Size}}", image], capture_output=True, text=True, check=True
        ).stdout
    )
    return f"{size / 1e6:.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    backends = load_backends(PROJECT_ROOT / "images")
    scratch = Path(tempfile.mkdtemp(prefix="sandpit-bench-"))
    service = Service(scratch)
    rows = []
    try:
        listed = {entry["name"]: entry for entry in service.request("GET", "/backends")[1]["backends"]}
        for name, backend in sorted(backends.items()):
            body = {"backend": name, "files": {backend.file: {"data": PROGRAMS[name]["hello"]}}}
            samples = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                status, result, _ = service.request("POST", "/execute", body)
                samples.append(time.perf_counter() - started)
                assert status == 200 and result["run"]["stdout"] == "hello world\n", result
            rows.append(
                [
                    name,
                    listed[name]["version"],
                    image_size(backend.image("sandpit")),
                    f"{statistics.median(samples) * 1000:.0f}",
                ]
            )
    finally:
        service.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(table(["backend", "version", "image size", "hello world p50, ms"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
