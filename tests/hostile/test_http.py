"""Hostile HTTP: oversized, malformed, deeply nested and ill-typed bodies, and a client that leaves.

Each must get its 4xx as JSON (never a 500, never a traceback), and the service must go on.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.client import Api
from tests.conftest import Server, labelled_containers
from tests.hostile.conftest import assert_next_task_works, attack, container_processes, wait_until

BODY_LIMIT = 10 << 20  # settings.yaml max_body_bytes


def _error(response: requests.Response, status: int | tuple[int, ...], case: object = None) -> str:
    expected = status if isinstance(status, tuple) else (status,)
    assert response.status_code in expected, (repr(case)[:200], response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("application/json")
    message: str = response.json()["error"]
    assert message and "Traceback" not in message
    return message


def _chunks() -> Iterator[bytes]:
    # No Content-Length: the limit must hold for a chunked body too.
    yield b'{"backend": "bash", "files": {"big.txt": {"data": "'
    for _ in range(12):
        yield b"x" * (1 << 20)
    yield b'"}}, "run": {"argv": ["true"]}}'


def _huge() -> bytes:
    return json.dumps({"backend": "bash", "files": {"big.txt": {"data": "x" * (BODY_LIMIT + 1)}}}).encode()


@pytest.mark.parametrize("path", ["/execute", "/task"])
def test_huge_body_is_413(api: Api, path: str) -> None:
    message = _error(api.post(path, data=_huge(), headers={"Content-Type": "application/json"}), 413)
    assert "larger" in message
    assert_next_task_works(api)


def test_huge_chunked_body_is_413(api: Api) -> None:
    _error(api.post("/execute", data=_chunks()), 413)
    assert_next_task_works(api)


MALFORMED = [
    b"",
    b"{",
    b"not json",
    b"\xff\xfe\x00\x00",
    b'{"backend": "bash"} trailing',
    b"{'backend': 'bash'}",
    b'{"backend": "bash",}',
    b'{"files": {"main.sh": {"data": "echo \\ud800"}}}',
]


def test_malformed_json_is_400(api: Api) -> None:
    for body in MALFORMED:
        assert "JSON" in _error(api.post("/execute", data=body), 400, body)
        assert "JSON" in _error(api.post("/task", data=body), 400, body)
    assert_next_task_works(api)


NESTED = {
    "arrays-open": b"[" * 100_000,
    "arrays-closed": b"[" * 100_000 + b"]" * 100_000,
    "objects-in-a-field": b'{"backend": "bash", "x": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}",
    "arrays-in-options": b'{"options": {"timeLimit": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
}


@pytest.mark.parametrize("body", NESTED.values(), ids=NESTED.keys())
def test_deeply_nested_json_is_refused(api: Api, body: bytes) -> None:
    _error(api.post("/execute", data=body), (400, 422))
    assert_next_task_works(api)


WRONG_TYPES: list[Any] = [
    "echo hi",
    ["echo", "hi"],
    None,
    42,
    {"backend": 5},
    {"backend": ["bash"]},
    {"files": []},
    {"files": {"main.sh": "echo hi"}},
    {"files": {"main.sh": {"data": 5}}},
    {"files": {"main.sh": {"data": "echo", "encoding": "rot13"}}},
    {"files": {"main.sh": {"data": "!!!", "encoding": "base64"}}},
    {"files": {"main.sh": {"data": "echo", "executable": "yes"}}},
    {"run": {"argv": "echo hi"}},
    {"run": {"argv": [1, 2]}},
    {"run": {"argv": []}},
    {"run": {"argv": [""]}},
    {"run": {"argv": ["echo", "a\x00b"]}},
    {"run": {"env": {"A": 1}}},
    {"run": {"env": {"1BAD": "x"}}},
    {"run": {"env": {"A": "a\x00b"}}},
    {"run": {"env": {f"V{n}": "x" for n in range(65)}}},
    {"run": {"argv": ["echo"] * 257}},
    {"run": {"stdin": 5}},
    {"options": []},
    {"options": {"timeLimit": "10"}},
    {"options": {"timeLimit": True}},
    {"options": {"memoryLimit": 1.5}},
    {"backend": "no-such-backend"},
    {"unknown": 1},
]


def test_wrong_types_are_422(api: Api) -> None:
    for body in WRONG_TYPES:
        _error(api.post("/execute", data=json.dumps(body).encode()), 422, body)
    assert_next_task_works(api)


OUT_OF_RANGE = [
    ("timeLimit", 0),
    ("timeLimit", 0.5),
    ("timeLimit", -1),
    ("timeLimit", 61),
    ("timeLimit", 10**30),
    ("compileTimeLimit", 0),
    ("compileTimeLimit", 121),
    ("memoryLimit", 1),
    ("memoryLimit", 1 << 40),
    ("processLimit", 1),
    ("processLimit", 100_000),
    ("outputLimit", 10),
    ("outputLimit", 1 << 40),
]


def test_out_of_range_options_are_422_and_name_the_range(api: Api) -> None:
    for option, value in OUT_OF_RANGE:
        message = _error(api.post("/execute", {"backend": "bash", "options": {option: value}}), 422, (option, value))
        assert option in message and "between" in message, message
    for raw in (b"NaN", b"Infinity", b"-Infinity", b"1e999"):
        body = b'{"backend": "bash", "options": {"timeLimit": ' + raw + b"}}"
        _error(api.post("/execute", data=body), (400, 422), body)
    message = _error(api.post("/execute", {"backend": "bash", "options": {"cpuLimit": 1}}), 422)
    assert "cpuLimit" in message
    assert_next_task_works(api)


def _sleepers(server: Server) -> list[str]:
    return [
        container
        for container, processes in container_processes(server.owner).items()
        if any("sleep 300" in " ".join(process) for process in processes)
    ]


def test_client_gone_mid_task_kills_its_container(api: Api, server: Server) -> None:
    body = json.dumps(attack("sleep.sh", options={"timeLimit": 40})).encode()
    request = (
        b"POST /execute HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(request)
        assert wait_until(lambda: bool(_sleepers(server)), timeout=10), "the task never started"
        running = _sleepers(server)
        time.sleep(1.0)
    # The client is gone: within a few seconds its task's container must be gone too.
    started = time.monotonic()
    assert wait_until(
        lambda: not {container["Id"] for container in labelled_containers(server.owner)} & set(running), timeout=5
    ), "the container of an abandoned task is still there"
    assert time.monotonic() - started < 5
    assert_next_task_works(api)


def test_wrong_method_is_a_json_405(api: Api) -> None:
    response = api.session.put(f"{api.base}/task", data=b"{}", timeout=30)
    assert "not allowed" in _error(response, 405)
    assert "POST" in response.headers["Allow"]
    assert_next_task_works(api)


# Requests the HTTP parser itself refuses, before any handler runs; each must still get API.md's
# error shape: a 4xx with a JSON body, never a plain-text echo of the request.
MALFORMED_HTTP = {
    "request-line-too-long": b"GET /task/" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "header-too-long": b"GET /backends HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
    "too-many-headers": b"GET /backends HTTP/1.1\r\nHost: x\r\n"
    + b"".join(b"X-H%d: 1\r\n" % n for n in range(500))
    + b"\r\n",
    "not-http": b"HELLO THERE\r\n\r\n",
    "negative-content-length": b"POST /task HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "two-content-lengths": b"POST /task HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "bad-chunk-size": b"POST /task HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "nul-in-a-header": b"GET /backends HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
}


def _raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; the status, headers and body of the answer (read until the server closes)."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(request)
        try:
            while chunk := client.recv(1 << 16):
                answer += chunk
                head, _, body = answer.partition(b"\r\n\r\n")
                length = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
                if length and len(body) >= int(length[0].split(b":")[1]):
                    break
        except TimeoutError:
            pass
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_malformed_http_gets_a_json_error(api: Api, server: Server) -> None:
    answers = {name: _raw_exchange(server.port, request) for name, request in MALFORMED_HTTP.items()}
    assert api.get("/backends").status_code == 200  # the service survived all of them
    for name, (status, _, _) in answers.items():
        assert status in (400, 413, 414, 431), (name, status)
    not_json = {
        name: (headers.get("content-type"), body[:80])
        for name, (_, headers, body) in answers.items()
        if not headers.get("content-type", "").startswith("application/json")
    }
    assert not not_json, not_json
    for name, (_, _, body) in answers.items():
        assert json.loads(body)["error"], name
    assert_next_task_works(api)
