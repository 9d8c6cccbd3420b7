"""What operators and tools read: OpenAPI, docs, health, metrics."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.client import Api, bash
from tests.conftest import Server
from tests.test_service import MakeServer


def test_openapi_covers_every_endpoint_and_error(api: Api) -> None:
    document = api.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert {"/backends", "/task", "/task/{id}", "/execute"} <= set(paths)
    assert set(paths["/task"]["post"]["responses"]) == {"202", "400", "413", "422", "429", "503"}
    assert {"get", "delete"} <= set(paths["/task/{id}"])
    schemas = document["components"]["schemas"]
    assert {"TaskRequest", "Result", "StageResult", "TaskView", "BackendList", "Error"} <= set(schemas)
    # Generated from the models: the request's fields are the models' fields.
    assert set(schemas["TaskRequest"]["properties"]) == {"backend", "options", "files", "compile", "run"}
    assert set(schemas["Options"]["properties"]) == {
        "timeLimit",
        "compileTimeLimit",
        "memoryLimit",
        "processLimit",
        "outputLimit",
    }


def test_docs_page_renders_from_the_document(api: Api) -> None:
    response = api.get("/docs")
    assert response.status_code == 200 and "text/html" in response.headers["Content-Type"]
    assert "/openapi.json" in response.text


def test_schemathesis_finds_no_server_error_and_no_schema_break(api: Api) -> None:
    finished = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"{api.base}/openapi.json",
            "-c",
            "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
            "-n",
            "20",
            "--generation-deterministic",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stdout[-4000:]
    assert "No issues found" in finished.stdout


def test_healthz_and_readyz(api: Api) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_readyz_is_503_with_the_reason_when_the_engine_is_gone(make_server: MakeServer, tmp_path: Path) -> None:
    server = make_server({"SANDPIT_DOCKER_URL": f"unix://{tmp_path}/no-engine.sock"})
    assert server.api.get("/healthz").status_code == 200
    response = server.api.get("/readyz")
    assert response.status_code == 503 and "engine" in response.json()["error"]


def metric(text: str, name: str, default: float | None = None, **labels: str) -> float:
    selector = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = re.compile(rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$", re.M)
    for match in pattern.finditer(text):
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(match.group(2))
    if default is not None:
        return default
    raise AssertionError(f"no {name}{{{selector}}} in metrics")


def test_metrics_count_tasks_by_backend_and_status(api: Api) -> None:
    before = api.get("/metrics").text
    finished = metric(before, "sandpit_tasks_total", default=0.0, backend="bash", status="finished")
    api.execute(bash("exit 3"))
    after = api.get("/metrics")
    assert after.headers["Content-Type"].startswith("text/plain")
    assert metric(after.text, "sandpit_tasks_total", backend="bash", status="finished") == finished + 1
    assert metric(after.text, "sandpit_stages_total", backend="bash", stage="run", status="error") >= 1
    assert metric(after.text, "sandpit_stage_duration_seconds_count", backend="bash", stage="run") >= 1
    for gauge in ("sandpit_queue_depth", "sandpit_running_tasks", "sandpit_ready_containers"):
        assert metric(after.text, gauge) >= 0
    assert metric(after.text, "sandpit_container_start_seconds_count") >= 1
    assert "sandpit_rejected_total" in after.text and "sandpit_engine_errors_total" in after.text


def test_log_has_a_line_per_task_event_and_never_the_source(api: Api, server: Server) -> None:
    marker = "secret-marker-8d1f"
    task = api.run(bash(f"echo {marker}"))
    assert task["response"]["run"]["stdout"] == f"{marker}\n"
    log = server.log_path.read_text()
    events = [line for line in log.splitlines() if f"task {task['id']}:" in line]
    assert [event.split(": ")[-1].split(" ")[0] for event in events] == ["queued", "running", "finished"]
    assert marker not in log


def test_json_log_format(make_server: MakeServer) -> None:
    import json

    server = make_server({"SANDPIT_LOG_FORMAT": "json"})
    task = server.api.run(bash("echo hi"))
    lines = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    assert any(task["id"] in line["message"] and line["level"] == "INFO" for line in lines)
