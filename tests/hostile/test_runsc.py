"""A representative part of the attack suite again, with every container under gVisor (runsc).

The same case functions as the runc run, against a server started with `runtime: runsc`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.client import Api
from tests.conftest import Server, assert_no_leaks, labelled_containers
from tests.hostile import test_escape, test_network, test_output, test_resources, test_time

CASES: list[Callable[[Api], Any]] = [
    test_resources.test_memory_bomb_is_killed_for_memory,
    test_resources.test_filling_tmp_ends_with_no_space_and_leaves_the_host_disk_alone,
    test_resources.test_open_file_exhaustion_stops_at_256_descriptors,
    test_output.test_flood_on_both_streams_is_cut_at_the_limit,
    test_output.test_binary_and_invalid_utf8_become_replacement_characters,
    test_output.test_daemonised_children_holding_the_pipe_do_not_delay_the_end,
    test_time.test_busy_loops_are_killed_at_the_time_limit,
    test_time.test_ignoring_sigterm_does_not_help,
    test_time.test_kill_minus_one_spares_the_runner,
    test_network.test_name_resolution_fails,
    test_time.test_sleep_is_killed_at_the_wall_clock_limit,
    test_escape.test_mounting_fails,
    test_escape.test_writes_outside_the_working_directory_fail,
    test_escape.test_nothing_is_left_for_the_next_task,
]


@pytest.fixture(scope="module")
def runsc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    instance = Server(Path(tmp_path_factory.mktemp("runsc")), {"SANDPIT_RUNTIME": "runsc"})
    instance.start()
    try:
        yield instance
    finally:
        code = instance.stop()
    assert code == 0
    assert labelled_containers(instance.owner) == []


@pytest.fixture
def runsc_api(runsc_server: Server) -> Iterator[Api]:
    yield runsc_server.api
    assert_no_leaks(runsc_server)


def test_containers_really_run_under_gvisor(runsc_api: Api) -> None:
    # gVisor's kernel introduces itself in the kernel log the program sees.
    result = runsc_api.execute({"files": {"main.sh": {"data": "dmesg 2>/dev/null | head -n 1; uname -r"}}})
    assert "gVisor" in result["run"]["stdout"] or result["run"]["stdout"].strip().startswith("4.4.0"), result


def test_only_loopback_under_gvisor(runsc_api: Api) -> None:
    # gVisor's own network stack, in its "none" mode: /proc/net/dev lists lo alone, no IPv4 route.
    result = runsc_api.execute(
        {"files": {"main.sh": {"data": "tail -n +3 /proc/net/dev | cut -d: -f1; echo ---; tail -n +2 /proc/net/route"}}}
    )
    interfaces, routes = result["run"]["stdout"].split("---")
    assert interfaces.split() == ["lo"] and routes.strip() == "", result


def test_no_capabilities_under_gvisor(runsc_api: Api) -> None:
    result = runsc_api.execute({"files": {"main.sh": {"data": "grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status"}}})
    values = [line.split()[1] for line in result["run"]["stdout"].splitlines()]
    assert values == ["0000000000000000"] * 3, result


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.__module__.rsplit('.', 1)[-1]}.{case.__name__}")
def test_attack_under_gvisor(runsc_api: Api, case: Callable[[Api], Any]) -> None:
    case(runsc_api)
