"""Programs that will not end by themselves, or attack the process that ends them."""

from __future__ import annotations

import time

from tests.client import Api
from tests.conftest import Server
from tests.hostile.conftest import (
    assert_killed_at_time_limit,
    assert_next_task_works,
    attack,
    container_processes,
    execute,
    source,
    wait_until,
)


def test_busy_loops_are_killed_at_the_time_limit(api: Api) -> None:
    task = api.run(attack("busy_loop.sh", options={"timeLimit": 1}))
    assert task["status"] == "finished" and task["terminated"] is True
    assert_killed_at_time_limit(task["response"]["run"], 1)
    assert_next_task_works(api)


def test_sleep_is_killed_at_the_wall_clock_limit(api: Api) -> None:
    task = api.run(attack("sleep.sh", options={"timeLimit": 2}))
    assert task["status"] == "finished" and task["terminated"] is True
    assert_killed_at_time_limit(task["response"]["run"], 2)
    assert_next_task_works(api)


def test_ignoring_sigterm_does_not_help(api: Api) -> None:
    task = api.run(attack("ignore_sigterm.sh", options={"timeLimit": 1}))
    assert task["status"] == "finished" and task["terminated"] is True
    assert_killed_at_time_limit(task["response"]["run"], 1)
    assert_next_task_works(api)


def test_unreaped_zombies_end_fine(api: Api) -> None:
    run = execute(api, attack("zombies.py", options={"processLimit": 32}))["run"]
    assert run["status"] == "ok", run
    lines = run["stdout"].splitlines()
    assert lines[0] == "fork failed: Resource temporarily unavailable", lines
    _, made, _, seen = lines[1].split()
    assert 16 <= int(made) < 32 and seen == made, lines
    assert_next_task_works(api)


def test_orphans_are_reaped_by_the_runner(api: Api) -> None:
    run = execute(api, attack("orphans.py", options={"processLimit": 16, "timeLimit": 20}))["run"]
    assert run["status"] == "ok" and run["stdout"] == "orphans 300\n", run
    assert_next_task_works(api)


def test_killing_the_parent_leaves_the_runner_standing(api: Api) -> None:
    run = execute(api, attack("kill_parent.sh"))["run"]
    assert run["status"] == "ok" and run["code"] == 0, run
    assert run["stdout"] == "parent 1\nstill here\n"
    assert_next_task_works(api)


def test_kill_minus_one_spares_the_runner(api: Api) -> None:
    run = execute(api, attack("kill_everything.sh"))["run"]
    assert run["status"] == "ok" and run["stdout"] == "sleep ended with 137\n", run
    assert_next_task_works(api)


def test_kill_minus_one_from_a_child_is_reported_as_sigkill(api: Api) -> None:
    task = api.run(attack("kill_everything_from_child.sh", options={"timeLimit": 5}))
    assert task["status"] == "finished"
    run = task["response"]["run"]
    assert (run["status"], run["signal"], run["code"], run["stdout"]) == ("signal", "SIGKILL", 137, ""), run
    assert run["durationMs"] < 2000
    assert_next_task_works(api)


def test_a_compile_stage_daemon_does_not_live_into_the_run_stage(api: Api) -> None:
    files = {"compile.sh": {"data": source("compile_daemon.sh")}, "main.sh": {"data": source("run_stage_probe.sh")}}
    result = execute(api, {"backend": "bash", "files": files, "compile": {"argv": ["/bin/bash", "compile.sh"]}})
    assert result["compile"]["status"] == "ok" and result["compile"]["stdout"] == "compiled\n", result
    run = result["run"]
    assert run["status"] == "ok" and run["stderr"] == "", run
    lines = run["stdout"].splitlines()
    # No compile-stage program runs on: the ticker is still and no process with a program is left.
    # (A process already in its exit, killed but not yet reaped, may still be listed for an instant.)
    assert lines[-1] == "ticker grew: 0", lines
    assert all(line.startswith("exiting process: ") for line in lines[:-1]), lines
    assert_next_task_works(api)


def test_cancelling_a_running_fork_bomb_kills_it(api: Api, server: Server) -> None:
    task = api.submit(attack("fork_bomb.sh", options={"timeLimit": 30, "processLimit": 32}))
    assert wait_until(lambda: api.get(f"/task/{task['id']}").json()["status"] == "running", timeout=10)
    assert wait_until(lambda: any(len(p) > 8 for p in container_processes(server.owner).values()), timeout=10)
    started = time.monotonic()
    response = api.delete(f"/task/{task['id']}")
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert time.monotonic() - started < 5
    assert cancelled["status"] == "cancelled" and cancelled["terminated"] is True and "finishedAt" in cancelled
    assert cancelled["response"]["run"]["signal"] == "SIGKILL"
    # Its container goes at once: no container of ours runs more than the idle runner.
    assert wait_until(lambda: all(len(p) == 1 for p in container_processes(server.owner).values()), timeout=5)
    assert_next_task_works(api)
