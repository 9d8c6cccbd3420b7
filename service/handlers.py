"""Thin handlers: parse, validate, hand to the registry or the sandbox, serialize."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from service.appkeys import BACKENDS, METRICS, REGISTRY, SANDBOX, SETTINGS
from service.errors import NotFound, Unavailable
from service.jobs import build_job, parse_request
from service.models import Backend, BackendList
from service.openapi import build_openapi
from service.sandbox import Job
from service.tasks import Task

STATIC = Path(__file__).parent / "static"
PLAYGROUND = STATIC / "index.html"
OPENAPI = build_openapi()


async def playground(request: web.Request) -> web.FileResponse:
    """GET /: the playground page, which uses the public API only."""
    return web.FileResponse(PLAYGROUND)


async def list_backends(request: web.Request) -> web.Response:
    """GET /backends: the backends whose image is present."""
    sandbox = request.app[SANDBOX]
    body = BackendList(
        backends=[
            Backend(
                name=b.name, description=b.description, version=b.version, compile=b.compile, run=b.run, file=b.file
            )
            for name, b in sorted(request.app[BACKENDS].items())
            if name in sandbox.available
        ]
    )
    return web.json_response(body.model_dump(exclude_none=True))


async def _job(request: web.Request) -> Job:
    # The body is JSON whatever the Content-Type says (RCCVM's clients post with curl -d).
    parsed = parse_request(await request.read())
    sandbox = request.app[SANDBOX]
    if not sandbox.engine_up:
        raise Unavailable("the container engine is unreachable; retry shortly")
    return build_job(request.app[SETTINGS], request.app[BACKENDS], sandbox.available, parsed)


async def create_task(request: web.Request) -> web.Response:
    """POST /task: queue the task and answer at once with 202."""
    task = request.app[REGISTRY].submit(await _job(request))
    return web.json_response(task.view(), status=202, headers={"Location": f"/task/{task.id}"})


async def get_task(request: web.Request) -> web.Response:
    """GET /task/{id}: the task as it stands."""
    return web.json_response(request.app[REGISTRY].get(request.match_info["id"]).view())


async def delete_task(request: web.Request) -> web.Response:
    """DELETE /task/{id}: cancel a queued task or kill a running one."""
    task = await request.app[REGISTRY].cancel(request.match_info["id"])
    return web.json_response(task.view())


async def execute(request: web.Request) -> web.Response:
    """POST /execute: run the task and answer with its result (only with bypass_task_queue)."""
    if not request.app[SETTINGS].bypass_task_queue:
        raise NotFound("POST /execute is off on this server (bypass_task_queue is false); use POST /task")
    registry = request.app[REGISTRY]
    task: Task = registry.submit(await _job(request), listed=False)
    try:
        await task.done.wait()
    except BaseException:
        # The client went away: the task must not run on for nobody, nor leak its container.
        registry.stop(task)
        raise
    if task.result is None:
        raise Unavailable("the server is shutting down")
    # Server-Timing lets a client (and bench/) tell the sandbox's time from the service's own.
    timing = {"Server-Timing": f"sandbox;dur={task.sandbox_seconds * 1000:.3f}"}
    return web.json_response(task.result.model_dump(exclude_none=True), headers=timing)


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: the process answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """GET /readyz: the engine answers and every configured backend's image exists."""
    sandbox = request.app[SANDBOX]
    if not sandbox.engine_up:
        raise Unavailable("not ready: the container engine does not answer")
    missing = sorted(set(request.app[BACKENDS].keys()) - sandbox.available)
    if missing:
        raise Unavailable(f"not ready: no image for {', '.join(missing)} (run `make images`)")
    return web.json_response({"status": "ready", "backends": len(sandbox.available)})


async def metrics(request: web.Request) -> web.Response:
    """GET /metrics: Prometheus text format."""
    return web.Response(body=request.app[METRICS].render(), content_type="text/plain", charset="utf-8")


async def openapi(request: web.Request) -> web.Response:
    """GET /openapi.json: the API, generated from the models."""
    return web.json_response(OPENAPI)


async def docs(request: web.Request) -> web.FileResponse:
    """GET /docs: the API for people, rendered from /openapi.json."""
    return web.FileResponse(STATIC / "docs.html")
