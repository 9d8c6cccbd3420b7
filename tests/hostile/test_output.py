"""Hostile output: floods, endless lines, bytes that are not UTF-8, closed pipes, daemons holding them."""

from __future__ import annotations

import time

from tests.client import Api
from tests.hostile.conftest import assert_killed_at_time_limit, assert_next_task_works, attack, execute


def test_flood_on_both_streams_is_cut_at_the_limit(api: Api) -> None:
    task = api.run(attack("flood.sh", options={"timeLimit": 2, "outputLimit": 4096}))
    assert task["status"] == "finished" and task["terminated"] is True
    run = task["response"]["run"]
    assert_killed_at_time_limit(run, 2)
    assert run["stdout"] == "y\n" * 2048 and run["stdoutTruncated"] is True
    assert run["stderr"] == "stderr\n" * 585 + "s" and run["stderrTruncated"] is True
    assert_next_task_works(api)


def test_one_endless_line_is_cut_at_the_limit(api: Api) -> None:
    run = execute(api, attack("endless_line.py", options={"timeLimit": 2, "outputLimit": 1024}))["run"]
    assert_killed_at_time_limit(run, 2)
    assert run["stdout"] == "a" * 1024 and run["stdoutTruncated"] is True
    assert run["stderr"] == "" and run["stderrTruncated"] is False
    assert_next_task_works(api)


def test_binary_and_invalid_utf8_become_replacement_characters(api: Api) -> None:
    run = execute(api, attack("invalid_utf8.py"))["run"]
    assert run["status"] == "ok", run
    assert run["stdout"].startswith("start \ufffd \ufffd( \ufffd\ufffd \x00 end\n"), run["stdout"][:40]
    assert "\ufffd" in run["stdout"][30:] and "\ufffd" in run["stderr"]
    # Every byte became one character at most: nothing was dropped or invented beyond the input.
    assert 20_000 < len(run["stdout"]) <= 65536 + 22 and 20_000 < len(run["stderr"]) <= 65536
    assert_next_task_works(api)


def test_closed_stdout_does_not_hang(api: Api) -> None:
    started = time.monotonic()
    result = execute(api, attack("closed_stdout.c", options={"timeLimit": 5}))
    assert time.monotonic() - started < 5
    assert result["compile"]["status"] == "ok", result["compile"]
    run = result["run"]
    assert run["status"] == "ok" and run["stdout"] == "before close\n", run
    assert run["stderr"] == "write after close: -1 Bad file descriptor\nreopened as 1\ndone\n", run["stderr"]
    assert_next_task_works(api)


def test_daemonised_children_holding_the_pipe_do_not_delay_the_end(api: Api) -> None:
    started = time.monotonic()
    run = execute(api, attack("daemon_holds_pipe.sh", options={"timeLimit": 10}))["run"]
    elapsed = time.monotonic() - started
    assert run["status"] == "ok" and run["code"] == 0, run
    assert "started\n" in run["stdout"]
    assert set(run["stdout"].split()) <= {"started", "spam"}
    # The main shell exits at once; the runner gives a pipe 1 s to drain, not the daemons' 100 s.
    assert run["durationMs"] < 1000 and elapsed < 4, (run["durationMs"], elapsed)
    assert_next_task_works(api)


def test_forged_runner_frames_are_plain_output(api: Api) -> None:
    run = execute(api, attack("forged_frames.py"))["run"]
    assert (run["status"], run["code"]) == ("error", 3), run
    assert run["stdout"].startswith("before|\x01\x00\x00\x00") and run["stdout"].endswith("|after\n")
    assert len(run["stdout"]) == len("before|") + 8 + 6 + 24 + 6 + len("|after\n")
    assert_next_task_works(api)
