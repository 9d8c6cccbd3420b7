"""Escape and privilege: capabilities, kernel settings, the engine socket, mounts, the environment,
the filesystem outside the working directory, setuid binaries, state between tasks, the runner."""

from __future__ import annotations

from collections.abc import Callable

from tests.client import Api
from tests.conftest import Server
from tests.hostile.conftest import assert_next_task_works, attack, execute

ZERO = "0000000000000000"


def test_no_capabilities(api: Api) -> None:
    run = execute(api, attack("capabilities.sh"))["run"]
    assert run["status"] == "ok", run
    fields = dict(line.split(":\t") for line in run["stdout"].splitlines())
    assert {name: fields[name] for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")} == dict.fromkeys(
        ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"), ZERO
    )
    assert fields["NoNewPrivs"] == "1"
    assert fields["Seccomp"] == "2"  # the engine's seccomp filter is on
    assert_next_task_works(api)


def test_kernel_and_cgroup_settings_are_read_only(api: Api) -> None:
    run = execute(api, attack("write_kernel_settings.sh"))["run"]
    assert run["status"] == "ok", run
    lines = run["stdout"].splitlines()
    assert len(lines) == 8 and all(line.startswith("refused ") for line in lines), lines
    assert_next_task_works(api)


def test_no_docker_socket(api: Api) -> None:
    run = execute(api, attack("docker_socket.sh"))["run"]
    assert run["status"] == "ok", run
    assert run["stdout"] == (
        "ls: cannot access '/var/run/docker.sock': No such file or directory\n"
        "ls: cannot access '/run/docker.sock': No such file or directory\n"
        "searched\n"
    )
    assert_next_task_works(api)


def test_mounting_fails(api: Api) -> None:
    run = execute(api, attack("mount.sh"))["run"]
    assert run["status"] == "ok" and run["stdout"] == "done\n", run
    assert_next_task_works(api)


def test_no_host_variables_in_the_environment(make_server: Callable[..., Server]) -> None:
    marker = "c2FuZHBpdC1zZWNyZXQtbWFya2Vy"
    server = make_server({"HOST_SECRET_TOKEN": marker, "AWS_SECRET_ACCESS_KEY": marker})
    run = execute(server.api, attack("print_env.sh"))["run"]
    assert run["status"] == "ok", run
    assert marker not in run["stdout"] and "SECRET" not in run["stdout"]
    env, exec_env, runner_env = run["stdout"].split("---\n")
    names = {line.split("=", 1)[0] for line in (env + exec_env).splitlines()}
    # Only what the image and the sandbox define: nothing of the host's or the service's.
    assert names <= {"HOSTNAME", "PWD", "HOME", "LANG", "TMPDIR", "SHLVL", "PATH", "_"}, names
    assert runner_env == "cat: /proc/1/environ: Permission denied\n"
    assert_next_task_works(server.api)


def test_writes_outside_the_working_directory_fail(api: Api) -> None:
    run = execute(api, attack("write_outside_workdir.sh"))["run"]
    assert run["status"] == "ok", run
    lines = run["stdout"].splitlines()
    assert lines[-2:] == ["tmp ok", "work ok"]
    assert len(lines) == 13 and all(line.startswith("refused ") for line in lines[:-2]), lines
    assert_next_task_works(api)


def test_setuid_binaries_grant_nothing(api: Api) -> None:
    run = execute(api, attack("setuid.sh", backend="python3"))["run"]
    assert run["status"] == "ok", run
    lines = run["stdout"].splitlines()
    assert lines[0].split() == ["NoNewPrivs:", "1"]
    assert int(lines[1].split()[-1]) >= 2  # su and passwd at least: the attack is real
    assert lines[2] == "su: 1" and lines[3] == "passwd: 10" and lines[4] == "setuid(0): 1", lines
    assert lines[5] == "1000"
    assert_next_task_works(api)


def test_nothing_is_left_for_the_next_task(api: Api) -> None:
    first = execute(api, attack("leave_state.sh"))["run"]
    assert first["status"] == "ok" and first["stdout"].count("left in") == 4, first
    run = execute(api, attack("find_state.sh"))["run"]
    assert run["status"] == "ok", run
    assert "sandpit-left-behind" not in run["stdout"] and "left by an earlier task" not in run["stdout"]
    assert ".bashrc" not in run["stdout"] and run["stdout"].endswith("LEFT=unset\n")
    assert_next_task_works(api)


def test_the_runner_cannot_be_inspected_or_traced(api: Api) -> None:
    run = execute(api, attack("inspect_runner.sh", backend="python3"))["run"]
    assert run["status"] == "ok", run
    assert run["stdout"] == "fd: 2\nfd1 write: 1\nmem: 1\nexe: 1\nptrace: -1 1\n"  # errno 1: EPERM
    assert_next_task_works(api)


def test_only_stdin_stdout_and_stderr_are_inherited(api: Api) -> None:
    run = execute(api, attack("inherited_fds.py"))["run"]
    assert run["status"] == "ok", run
    assert run["stdout"] == "0 /memfd:stdin (deleted)\n1 pipe:\n2 pipe:\n"
    assert_next_task_works(api)
