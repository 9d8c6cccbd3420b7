"""No network: only loopback, no route, no name resolution, no way to the host's loopback.

Everything here is looked at from inside, or tried against the container's own loopback: no case
sends a packet to an outside or private address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.client import Api
from tests.hostile.conftest import assert_next_task_works, attack, execute


def test_only_loopback_and_no_route_off_it(api: Api) -> None:
    run = execute(api, attack("network_probe.sh"))["run"]
    assert run["status"] == "ok", run
    lines = run["stdout"].splitlines()
    assert lines[0].split() == ["interfaces:", "lo"]
    assert lines[1].split() == ["dev:", "lo"]
    assert lines[2] == "ipv4 routes: 0"
    assert lines[3] == "ipv6 routes:"
    # IPv6 keeps its loopback entries (::1 and the reject routes on lo): every route is on lo and
    # none has a next hop, so nothing can be routed off the container.
    for route in lines[4:]:
        fields = route.split()
        assert fields[-1] == "lo" and fields[4] == "0" * 32, route
    assert_next_task_works(api)


def test_name_resolution_fails(api: Api) -> None:
    run = execute(api, attack("dns_lookup.sh", options={"timeLimit": 10}))["run"]
    assert run["status"] == "ok" and run["stdout"] == "getent: 2\n", run
    assert run["durationMs"] < 5000
    assert_next_task_works(api)


def test_the_hosts_loopback_is_out_of_reach(api: Api) -> None:
    port = urlsplit(api.base).port  # the API itself listens on the host's 127.0.0.1
    assert port
    run = execute(api, attack("reach_host_loopback.sh", str(port)))["run"]
    assert run["status"] == "ok" and run["stdout"] == "refused\n", run
    assert_next_task_works(api)
