"""Resource exhaustion: processes, threads, memory, disk, inodes, descriptors, file size, compilers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import docker
import pytest

from tests.client import Api
from tests.conftest import Server
from tests.hostile.conftest import (
    assert_killed_at_time_limit,
    assert_next_task_works,
    attack,
    container_processes,
    execute,
    free_bytes,
    wait_until,
)

MIB = 1 << 20


def _finished(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    """POST /task then poll: the finished task, which the service must not have failed on."""
    task = api.run(body)
    assert task["status"] == "finished", task
    assert "error" not in task["response"], task
    return task


def test_fork_bomb_is_capped_by_the_process_limit(api: Api, server: Server) -> None:
    task = api.submit(attack("fork_bomb.sh", options={"timeLimit": 3, "processLimit": 32}))
    peak = 0
    while "finishedAt" not in task:
        for processes in container_processes(server.owner).values():
            peak = max(peak, len(processes))
        response = api.get(f"/task/{task['id']}")
        assert response.status_code == 200
        task = response.json()
    assert task["status"] == "finished" and task["terminated"] is True
    assert_killed_at_time_limit(task["response"]["run"], 3)
    assert "Resource temporarily unavailable" in task["response"]["run"]["stderr"]
    # The bomb really multiplied (seen from the host), and never past the container's pids limit.
    assert 16 <= peak <= 32, peak
    assert_next_task_works(api)


def test_thread_bomb_stops_below_the_process_limit(api: Api) -> None:
    run = execute(api, attack("thread_bomb.py", options={"processLimit": 32}))["run"]
    assert run["status"] == "ok", run
    words = run["stdout"].split()
    assert words[:1] == ["threads"] and "can't start new thread" in run["stdout"]
    assert 16 <= int(words[1]) < 32, run["stdout"]
    assert_next_task_works(api)


def test_memory_bomb_is_killed_for_memory(api: Api) -> None:
    task = _finished(api, attack("memory_bomb.py", options={"memoryLimit": 64}))
    run = task["response"]["run"]
    assert (run["status"], run["signal"], run["code"]) == ("memory", "SIGKILL", 137), run
    assert task["terminated"] is True
    assert_next_task_works(api)


def test_memory_spread_over_processes_is_counted_together(api: Api) -> None:
    run = _finished(api, attack("memory_bomb_forked.py", options={"memoryLimit": 128}))["response"]["run"]
    assert run["status"] == "memory" and run["code"] == 1 and "signal" not in run, run
    killed = int(run["stdout"].split()[-1])
    assert 1 <= killed <= 8, run["stdout"]
    assert_next_task_works(api)


def _fill(api: Api, folder: str, host_path: Path) -> tuple[str, int, int]:
    """Run the disk fill; its outcome, the bytes it wrote and the most the host's disk lost meanwhile."""
    before = free_bytes(host_path)
    lowest = before
    task = api.submit(attack("fill_disk.py", folder, options={"timeLimit": 20}))
    while "finishedAt" not in task:
        lowest = min(lowest, free_bytes(host_path))
        response = api.get(f"/task/{task['id']}")
        assert response.status_code == 200
        task = response.json()
        time.sleep(0.05)
    assert task["status"] == "finished", task
    run = task["response"]["run"]
    assert run["status"] == "ok", run
    outcome, written = run["stdout"].splitlines()
    return outcome, int(written.split()[1]), before - lowest


def test_filling_tmp_ends_with_no_space_and_leaves_the_host_disk_alone(api: Api) -> None:
    client = docker.APIClient(version="1.41")
    docker_root = Path(client.info()["DockerRootDir"])
    client.close()
    outcome, written, host_loss = _fill(api, "/tmp", docker_root)
    assert outcome == "ENOSPC No space left on device"
    assert 56 * MIB <= written <= 64 * MIB, written
    assert host_loss < 100 * MIB, host_loss
    assert_next_task_works(api)


def _task_directories_are_bounded_tmpfs(work_dir: Path) -> bool:
    mounts = {}
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, point, kind, options, *_ = line.split()
        mounts[point] = (kind, options.split(","))
    directories = [str(path) for path in work_dir.iterdir()]
    return bool(directories) and all(
        point in mounts and mounts[point][0] == "tmpfs" and "size=65536k" in mounts[point][1] for point in directories
    )


def test_filling_the_working_directory_is_bounded_by_its_tmpfs(api: Api, server: Server) -> None:
    outcome, written, host_loss = _fill(api, ".", server.work_dir)
    assert outcome in ("ENOSPC No space left on device", "EFBIG File too large"), outcome
    assert 56 * MIB <= written <= 64 * MIB, written
    assert host_loss < 100 * MIB, host_loss
    # The bound is structural: every task directory on the host is a 64 MiB tmpfs of its own.
    assert wait_until(lambda: _task_directories_are_bounded_tmpfs(server.work_dir), timeout=5)
    assert_next_task_works(api)


@pytest.mark.parametrize("folder", ["/tmp", "/dev/shm", "/work"])
def test_tmpfs_pages_count_against_the_memory_limit(api: Api, folder: str) -> None:
    run = _finished(api, attack("tmpfs_memory.sh", folder, options={"memoryLimit": 16}))["response"]["run"]
    assert (run["status"], run["signal"], run["code"]) == ("memory", "SIGKILL", 137), run
    assert_next_task_works(api)


def test_many_small_files_work_and_are_cleaned_up(api: Api) -> None:
    run = execute(api, attack("many_small_files.py"))["run"]
    assert run["status"] == "ok", run
    assert run["stdout"] == "files 3001\n"  # main.py and the 3000 written
    assert_next_task_works(api)


def test_inode_exhaustion_ends_with_no_space(api: Api) -> None:
    run = execute(api, attack("inode_exhaustion.py"))["run"]
    assert run["status"] == "ok", run
    error, count = run["stdout"].split()
    assert error == "ENOSPC" and 3900 <= int(count) <= 4096, run["stdout"]
    assert_next_task_works(api)


def test_open_file_exhaustion_stops_at_256_descriptors(api: Api) -> None:
    run = execute(api, attack("open_files.py"))["run"]
    assert run["status"] == "ok", run
    first, second = run["stdout"].splitlines()
    error, count, highest = first.split()
    assert error == "EMFILE" and 240 <= int(count) <= 253 and highest == "255", first
    assert second.startswith("raise refused:"), second
    assert_next_task_works(api)


def test_sparse_file_past_the_size_limit_gets_sigxfsz(api: Api) -> None:
    run = execute(api, attack("sparse_big_file.sh"))["run"]
    assert (run["status"], run["signal"], run["code"]) == ("signal", "SIGXFSZ", 153), run
    assert_next_task_works(api)


def test_file_past_the_size_limit_is_efbig_when_sigxfsz_is_ignored(api: Api) -> None:
    run = execute(api, attack("file_too_big.py"))["run"]
    assert run["status"] == "ok" and run["stdout"] == "EFBIG 0\n", run
    assert_next_task_works(api)


def test_compiler_reading_dev_zero_is_killed_for_memory(api: Api) -> None:
    task = _finished(api, attack("include_dev_zero.c", options={"compileTimeLimit": 10, "memoryLimit": 128}))
    result = task["response"]
    assert "run" not in result, result
    compiled = result["compile"]
    assert compiled["status"] == "memory" and compiled["code"] != 0, compiled
    assert compiled["durationMs"] < 10_000
    assert task["terminated"] is True
    assert_next_task_works(api)


def test_template_bomb_is_stopped_by_the_compile_time_limit(api: Api) -> None:
    task = _finished(api, attack("template_bomb.cpp", options={"compileTimeLimit": 2, "memoryLimit": 1024}))
    result = task["response"]
    assert "run" not in result, result
    assert_killed_at_time_limit(result["compile"], 2)
    assert task["terminated"] is True
    assert_next_task_works(api)
