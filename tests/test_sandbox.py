"""Limits and isolation of the sandbox, through HTTP against real containers."""

from __future__ import annotations

from tests.client import Api, bash, python


def test_one_megabyte_on_both_streams_does_not_deadlock(api: Api) -> None:
    # Both pipes full at once: a reader that drained one stream at a time would hang here.
    source = "import sys\nfor _ in range(1024):\n    sys.stdout.write('o' * 1023 + '\\n')\n    sys.stderr.write('e' * 1023 + '\\n')\n"
    result = api.execute(python(source))["run"]
    assert result["status"] == "ok"
    assert len(result["stdout"]) == 1 << 20 and len(result["stderr"]) == 1 << 20
    assert result["stdoutTruncated"] is False and result["stderrTruncated"] is False


def test_output_is_cut_at_the_limit_with_the_flag(api: Api) -> None:
    result = api.execute(bash("head -c 100000 /dev/zero | tr '\\0' a; echo done >&2", options={"outputLimit": 4096}))
    run = result["run"]
    assert run["stdout"] == "a" * 4096 and run["stdoutTruncated"] is True
    assert run["stderr"] == "done\n" and run["stderrTruncated"] is False
    assert run["status"] == "ok"


def test_output_cut_on_a_utf8_boundary(api: Api) -> None:
    # 'é' is two bytes: a cut at an odd byte count must not leave half of one.
    result = api.execute(python("print('é' * 2000)", options={"outputLimit": 1025}))["run"]
    assert result["stdout"] == "é" * 512 and result["stdoutTruncated"] is True


def test_endless_output_is_drained_and_the_program_finishes(api: Api) -> None:
    result = api.execute(bash("yes | head -c 50000000; echo end >&2", options={"outputLimit": 1024}))["run"]
    assert result["status"] == "ok" and result["stdoutTruncated"] is True
    assert result["stderr"] == "end\n"


def test_infinite_loop_times_out_and_the_service_answers_next(api: Api) -> None:
    result = api.execute(bash("while :; do :; done", options={"timeLimit": 1}))["run"]
    assert result["status"] == "timeout" and result["signal"] == "SIGKILL" and result["code"] == 137
    assert 900 <= result["durationMs"] < 3000
    assert api.execute(bash("echo alive"))["run"]["stdout"] == "alive\n"


def test_task_reports_terminated_on_timeout(api: Api) -> None:
    task = api.run(bash("sleep 10", options={"timeLimit": 1}))
    assert task["status"] == "finished" and task["terminated"] is True
    assert task["response"]["run"]["status"] == "timeout"


def test_memory_bomb_ends_with_memory_status(api: Api) -> None:
    source = "chunks = []\nwhile True:\n    chunks.append(bytearray(16 << 20))\n"
    result = api.execute(python(source, options={"memoryLimit": 64}))["run"]
    assert result["status"] == "memory" and result["signal"] == "SIGKILL"
    assert api.execute(python("print('alive')"))["run"]["stdout"] == "alive\n"


def test_fork_bomb_is_contained(api: Api) -> None:
    # Forks until the process limit stops it, then the time limit ends it.
    result = api.execute(bash(":(){ :|:& };: ; wait; sleep 30", options={"timeLimit": 3, "processLimit": 32}))["run"]
    assert result["status"] == "timeout"
    assert api.execute(bash("echo alive"))["run"]["stdout"] == "alive\n"


def test_process_limit_stops_forks(api: Api) -> None:
    source = (
        "import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(5)\n"
        "            os._exit(0)\n        n += 1\nexcept OSError:\n    print('stopped after', n)\n"
    )
    result = api.execute(python(source, options={"processLimit": 16}))["run"]
    assert result["status"] == "ok"
    forked = int(result["stdout"].split()[-1])
    assert 5 <= forked < 16


def test_no_network_inside_the_container(api: Api) -> None:
    # Looked at from inside; nothing is sent anywhere.
    result = api.execute(bash("cat /proc/net/dev; echo ---; tail -n +2 /proc/net/route"))["run"]
    interfaces = [line.split(":")[0].strip() for line in result["stdout"].split("---")[0].splitlines()[2:]]
    assert interfaces == ["lo"]
    assert result["stdout"].split("---")[1].strip() == ""


def test_locked_down_user_and_filesystem(api: Api) -> None:
    script = (
        "id -u; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status;"
        "touch /etc/x 2>/dev/null && echo wrote-etc; touch /x 2>/dev/null && echo wrote-root;"
        "touch /tmp/ok && echo tmp-ok; touch ./ok && echo work-ok"
    )
    lines = api.execute(bash(script))["run"]["stdout"].split("\n")
    assert lines[0] == "1000"
    assert lines[1].split() == ["CapEff:", "0000000000000000"]
    assert lines[2].split() == ["NoNewPrivs:", "1"]
    assert "wrote-etc" not in lines and "wrote-root" not in lines
    assert "tmp-ok" in lines and "work-ok" in lines


def test_a_signal_is_reported_by_name(api: Api) -> None:
    result = api.execute(bash("kill -SEGV $$"))["run"]
    assert result["status"] == "signal" and result["signal"] == "SIGSEGV" and result["code"] == 139


def test_runtime_error_is_an_error_status(api: Api) -> None:
    result = api.execute(python("raise SystemExit('bad input')"))["run"]
    assert result["status"] == "error" and result["code"] == 1 and "bad input" in result["stderr"]


def test_unknown_command_is_127(api: Api) -> None:
    result = api.execute(bash("", run={"argv": ["no-such-tool"]}))["run"]
    assert result["code"] == 127 and "no-such-tool" in result["stderr"]


def test_each_task_gets_a_fresh_container(api: Api) -> None:
    api.execute(bash("echo secret > /tmp/left; echo secret > left"))
    result = api.execute(bash("cat /tmp/left left 2>&1; ls"))["run"]
    assert "secret" not in result["stdout"]


def test_a_ready_container_and_a_custom_one_both_get_exactly_their_limits(api: Api) -> None:
    # The default request may take a container started ahead; a custom one must not inherit its limits.
    script = "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max"
    default = api.execute(bash(script))["run"]["stdout"].split()
    custom = api.execute(bash(script, options={"memoryLimit": 100, "processLimit": 20}))["run"]["stdout"].split()
    assert default == [str(256 << 20), "64"]
    assert custom == [str(100 << 20), "20"]
