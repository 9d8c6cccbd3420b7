"""The OpenAPI 3.1 document, generated from the pydantic models that validate and shape the API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from service import models

SCHEMA_MODELS: list[type[BaseModel]] = [
    models.TaskRequest,
    models.Result,
    models.TaskView,
    models.BackendList,
    models.Error,
]


def _json(schema: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def _errors(*statuses: int) -> dict[str, Any]:
    meaning = {
        400: "The body is not JSON.",
        404: "Unknown task id or route; /execute while bypass_task_queue is false.",
        413: "The body is larger than the configured maximum.",
        422: "The JSON is valid but the request breaks a rule; the message names it.",
        429: "The queue is full; Retry-After says when to try again.",
        503: "The container engine is unreachable, or the server is shutting down.",
    }
    retry = {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}}
    return {str(status): _json("Error", meaning[status], retry if status == 429 else None) for status in statuses}


def build_openapi() -> dict[str, Any]:
    """The whole document; the schemas come from service.models, so they cannot drift."""
    _, definitions = models_json_schema(
        [(model, "validation" if model is models.TaskRequest else "serialization") for model in SCHEMA_MODELS],
        ref_template="#/components/schemas/{model}",
    )
    request_body = {
        "required": True,
        "description": "JSON, whatever the Content-Type says (RCCVM's clients post with curl -d).",
        "content": {
            media: {"schema": {"$ref": "#/components/schemas/TaskRequest"}}
            for media in ("application/json", "application/x-www-form-urlencoded")
        },
    }
    task_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    location = {"Location": {"description": "/task/{id} of the new task", "schema": {"type": "string"}}}
    paths: dict[str, Any] = {
        "/backends": {
            "get": {
                "summary": "The backends (languages) this server can run",
                "operationId": "listBackends",
                "responses": {"200": _json("BackendList", "The backends")},
            }
        },
        "/task": {
            "post": {
                "summary": "Queue a task; answers at once",
                "operationId": "createTask",
                "requestBody": request_body,
                "responses": {
                    "202": _json("TaskView", "The new task", location),
                    **_errors(400, 413, 422, 429, 503),
                },
            }
        },
        "/task/{id}": {
            "get": {
                "summary": "The task as it stands; poll until it has finishedAt",
                "operationId": "getTask",
                "parameters": task_id,
                "responses": {"200": _json("TaskView", "The task"), **_errors(404)},
            },
            "delete": {
                "summary": "Cancel a queued task or kill a running one",
                "operationId": "cancelTask",
                "parameters": task_id,
                "responses": {"200": _json("TaskView", "The task, ended"), **_errors(404)},
            },
        },
        "/execute": {
            "post": {
                "summary": "Run a task and answer with its result (only when bypass_task_queue is true)",
                "operationId": "execute",
                "requestBody": request_body,
                "responses": {"200": _json("Result", "The result object"), **_errors(400, 404, 413, 422, 429, 503)},
            }
        },
        "/healthz": {
            "get": {
                "summary": "The process answers",
                "operationId": "healthz",
                "responses": {
                    "200": {"description": "Alive", "content": {"application/json": {"schema": {"type": "object"}}}}
                },
            }
        },
        "/readyz": {
            "get": {
                "summary": "The engine answers and every backend's image exists",
                "operationId": "readyz",
                "responses": {
                    "200": {"description": "Ready", "content": {"application/json": {"schema": {"type": "object"}}}},
                    **_errors(503),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "operationId": "metrics",
                "responses": {
                    "200": {
                        "description": "Text exposition format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sandpit",
            "version": "1.0",
            "description": "Run untrusted code in fresh, locked-down containers. RCCVM's API, extended.",
        },
        "paths": paths,
        "components": {"schemas": definitions.get("$defs", {})},
    }
