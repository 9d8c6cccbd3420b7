"""Thin handlers: parse, validate, hand to the registry or the sandbox, serialize."""

from __future__ import annotations

from aiohttp import web

from service.appkeys import BACKENDS, REGISTRY, SANDBOX, SETTINGS
from service.errors import NotFound, Unavailable
from service.jobs import build_job, parse_request
from service.models import Backend, BackendList
from service.sandbox import Job
from service.tasks import Task


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
    task: Task = request.app[REGISTRY].submit(await _job(request), listed=False)
    try:
        await task.done.wait()
    except BaseException:
        # The client went away: the task must not run on for nobody, nor leak its container.
        task.cancel_requested = True
        if task.execution:
            task.execution.kill()
        elif task.status == "queued":
            task.finish("cancelled", None, terminated=True)
        raise
    if task.result is None:
        raise Unavailable("the server is shutting down")
    # Server-Timing lets a client (and bench/) tell the sandbox's time from the service's own.
    timing = {"Server-Timing": f"sandbox;dur={task.sandbox_seconds * 1000:.3f}"}
    return web.json_response(task.result.model_dump(exclude_none=True), headers=timing)
