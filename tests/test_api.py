"""The HTTP contract of API.md, through a real server and real containers."""

from __future__ import annotations

import re
import subprocess
import uuid
from typing import Any

import pytest

from tests.client import Api, bash, python

SEED = {
    "backend": "gcc",
    "options": {},
    "files": {"main.c": {"data": '#include <stdio.h>\nint main(void){puts("test");return 0;}\n'}},
    "compile": {"argv": ["gcc", "-O3", "main.c"], "env": {}},
    "run": {"argv": ["./a.out"], "env": {}},
}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_seed_example_through_task_polling(api: Api) -> None:
    response = api.post("/task", SEED)
    assert response.status_code == 202
    task = response.json()
    assert response.headers["Location"] == f"/task/{task['id']}"
    uuid.UUID(task["id"])
    assert task["terminated"] is False
    assert ISO.match(task["createdAt"])
    assert "finishedAt" not in task and "response" not in task  # absent, never null
    done = api.wait(task["id"])
    assert done["status"] == "finished"
    assert ISO.match(done["startedAt"]) and ISO.match(done["finishedAt"])
    assert done["createdAt"] <= done["startedAt"] <= done["finishedAt"]
    result = done["response"]
    assert result["compile"]["code"] == 0 and result["compile"]["status"] == "ok"
    assert result["run"]["stdout"] == "test\n"
    assert result["run"]["code"] == 0 and result["run"]["status"] == "ok"
    assert result["run"]["stderr"] == ""
    assert result["run"]["durationMs"] >= 0 and "signal" not in result["run"]


def test_seed_example_through_execute(api: Api) -> None:
    result = api.execute(SEED)
    assert result["compile"]["code"] == 0
    assert result["run"] == result["run"] | {"code": 0, "stdout": "test\n", "stderr": "", "status": "ok"}
    assert result["run"]["stdoutTruncated"] is False and result["run"]["stderrTruncated"] is False


def test_form_encoded_body_is_read_as_json(api: Api) -> None:
    # RCCVM's own example: curl -d @file, sent as application/x-www-form-urlencoded.
    import json

    response = api.post(
        "/execute", data=json.dumps(SEED), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["run"]["stdout"] == "test\n"


def test_curl_d_like_rccvm(api: Api, tmp_path: Any) -> None:
    import json

    body = tmp_path / "seed.json"
    body.write_text(json.dumps(SEED))
    out = subprocess.run(
        ["curl", "-s", "-d", f"@{body}", f"{api.base}/execute"], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out)["run"]["stdout"] == "test\n"


@pytest.mark.parametrize(
    ("backend", "file", "source"),
    [
        ("bash", "main.sh", "echo hello from bash"),
        ("python3", "main.py", "print('hello from python3')"),
        ("gcc", "main.c", '#include <stdio.h>\nint main(void){puts("hello from gcc");}\n'),
    ],
)
def test_default_argv_of_each_backend(api: Api, backend: str, file: str, source: str) -> None:
    result = api.execute({"backend": backend, "files": {file: {"data": source}}})
    assert result["run"]["stdout"] == f"hello from {backend}\n"
    assert ("compile" in result) == (backend == "gcc")


def test_backend_defaults_to_bash(api: Api) -> None:
    result = api.execute({"files": {"main.sh": {"data": "echo $BASH_VERSION"}}})
    assert result["run"]["stdout"].startswith("5.")


def test_backends_lists_each_with_its_defaults(api: Api) -> None:
    response = api.get("/backends")
    assert response.status_code == 200
    backends = {backend["name"]: backend for backend in response.json()["backends"]}
    assert backends["gcc"] == backends["gcc"] | {
        "description": "The GNU C compiler",
        "compile": ["gcc", "main.c"],
        "run": ["./a.out"],
        "file": "main.c",
    }
    assert re.match(r"^\d+\.\d+", backends["gcc"]["version"])
    assert backends["python3"]["run"] == ["python3", "main.py"] and "compile" not in backends["python3"]
    assert backends["bash"]["run"] == ["/bin/bash", "main.sh"]


def test_compile_argv_empty_means_no_compile_stage(api: Api) -> None:
    result = api.execute(
        {
            "backend": "gcc",
            "files": {"run.sh": {"data": "echo no compile", "executable": True}},
            "compile": {"argv": []},
            "run": {"argv": ["./run.sh"]},
        }
    )
    assert "compile" not in result
    assert result["run"]["stdout"] == "no compile\n"


def test_env_is_added_to_the_stage(api: Api) -> None:
    result = api.execute(bash('echo "$GREETING $HOME"', run={"env": {"GREETING": "hi"}}))
    assert result["run"]["stdout"] == "hi /tmp\n"


def test_base64_files(api: Api) -> None:
    import base64

    data = base64.b64encode(b"\x00\x01binary\xff").decode()
    result = api.execute(
        {"files": {"main.sh": {"data": "od -An -tx1 blob"}, "blob": {"data": data, "encoding": "base64"}}}
    )
    assert result["run"]["stdout"].split() == ["00", "01", "62", "69", "6e", "61", "72", "79", "ff"]


def test_two_files_in_one_directory(api: Api) -> None:
    result = api.execute(
        {
            "backend": "gcc",
            "files": {
                "main.c": {"data": '#include "src/util/a.h"\nint main(void){return answer() == 42 ? 0 : 1;}\n'},
                "src/util/a.h": {"data": "int answer(void);\n"},
                "src/util/a.c": {"data": '#include "a.h"\nint answer(void){return 42;}\n'},
            },
            "compile": {"argv": ["gcc", "main.c", "src/util/a.c"]},
        }
    )
    assert result["compile"]["status"] == "ok", result
    assert result["run"]["code"] == 0


def test_stdin_absent_means_eof_at_once(api: Api) -> None:
    result = api.execute(python("import sys\ndata = sys.stdin.read()\nprint(len(data))"))
    assert result["run"]["stdout"] == "0\n"
    assert result["run"]["durationMs"] < 5000


def test_stdin_is_given_to_the_program(api: Api) -> None:
    result = api.execute(
        python("import sys\nprint(sum(map(int, sys.stdin.read().split())))", run={"stdin": "1 2 3\n4"})
    )
    assert result["run"]["stdout"] == "10\n"


def test_compile_error_skips_the_run(api: Api) -> None:
    task = api.run({"backend": "gcc", "files": {"main.c": {"data": "int main(void) { return nope; }\n"}}})
    assert task["status"] == "finished"
    result = task["response"]
    assert result["compile"]["code"] != 0 and result["compile"]["status"] == "error"
    assert "nope" in result["compile"]["stderr"]
    assert "run" not in result


def test_delete_cancels_a_running_task(api: Api) -> None:
    task = api.submit(bash("echo started; sleep 30"))
    for _ in range(200):
        if api.get(f"/task/{task['id']}").json()["status"] == "running":
            break
    response = api.delete(f"/task/{task['id']}")
    assert response.status_code == 200
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["terminated"] is True
    assert "finishedAt" in cancelled
    assert api.execute(bash("echo next"))["run"]["stdout"] == "next\n"


# -- errors -------------------------------------------------------------------------------


def assert_error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in body["error"]
    message: str = body["error"]
    return message


def test_400_when_the_body_is_not_json(api: Api) -> None:
    assert_error(api.post("/task", data="{not json"), 400)
    assert_error(api.post("/execute", data=b"\xff\xfe"), 400)


def test_404_for_unknown_task_and_route(api: Api) -> None:
    assert_error(api.get(f"/task/{uuid.uuid4()}"), 404)
    assert_error(api.get("/task/not-a-uuid"), 404)
    assert_error(api.delete(f"/task/{uuid.uuid4()}"), 404)
    assert_error(api.get("/nowhere"), 404)


def test_413_when_the_body_is_too_large(api: Api) -> None:
    body = b'{"files": {"main.sh": {"data": "' + b"x" * (11 << 20) + b'"}}}'
    assert_error(api.post("/task", data=body), 413)


@pytest.mark.parametrize(
    "body",
    [
        {"backend": "cobol-85"},
        {"backend": 3},
        {"files": {"/etc/passwd": {"data": ""}}},
        {"files": {"../x": {"data": ""}}},
        {"files": {"a/../../x": {"data": ""}}},
        {"files": {"a\u0000b": {"data": ""}}},
        {"files": {"x" * 101: {"data": ""}}},
        {"files": {"/".join(["d"] * 9): {"data": ""}}},
        {"files": {"a//b": {"data": ""}}},
        {"files": {"sp ace": {"data": ""}}},
        {"files": {f"f{n}": {"data": ""} for n in range(101)}},
        {"files": {"a": {"data": ""}, "a/b": {"data": ""}}},
        {"files": {"main.sh": "echo"}},
        {"files": {"main.sh": {"data": "AAA", "encoding": "base64"}}},
        {"run": {"argv": []}},
        {"run": {"argv": [""]}},
        {"run": {"argv": ["a\u0000"]}},
        {"run": {"argv": ["x"] * 257}},
        {"run": {"env": {"1BAD": "x"}}},
        {"run": {"env": {"OK": "a\u0000"}}},
        {"run": {"env": {f"V{n}": "x" for n in range(65)}}},
        {"run": {"stdin": 5}},
        {"options": {"timeLimit": 61}},
        {"options": {"timeLimit": 0}},
        {"options": {"memoryLimit": 4096}},
        {"options": {"processLimit": 1}},
        {"options": {"outputLimit": 10}},
        {"options": {"colour": "blue"}},
        {"options": {"timeLimit": "5"}},
        {"options": {"timeLimit": True}},
        {"surprise": 1},
        [1, 2],
        "a bare string",
    ],
)
def test_422_for_requests_that_break_a_rule(api: Api, body: Any) -> None:
    message = assert_error(api.post("/task", body), 422)
    assert "/etc/passwd" not in message and "cobol" not in message  # never echo the input


def test_422_names_the_allowed_range(api: Api) -> None:
    message = assert_error(api.post("/task", {"options": {"timeLimit": 600}}), 422)
    assert "timeLimit" in message and "1" in message and "60" in message
    message = assert_error(api.post("/task", {"options": {"memoryLimit": 1}}), 422)
    assert "16" in message and "2048" in message


def test_options_within_range_are_applied(api: Api) -> None:
    result = api.execute(bash("sleep 5", options={"timeLimit": 1}))
    assert result["run"]["status"] == "timeout"
    assert 900 <= result["run"]["durationMs"] < 3000
