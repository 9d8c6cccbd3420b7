"""The application factory: middlewares, routes and the resources' life cycles."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from service import handlers
from service.appkeys import BACKENDS, METRICS, REGISTRY, SANDBOX, SETTINGS
from service.backends import load_backends
from service.errors import Handler, error_middleware, error_response
from service.metrics import Metrics
from service.sandbox import Sandbox
from service.settings import Settings
from service.tasks import TaskRegistry

log = logging.getLogger(__name__)


def _json_protocol_error(
    self: RequestHandler,
    request: web.BaseRequest,
    status: int = 500,
    exc: BaseException | None = None,
    message: str | None = None,
) -> web.StreamResponse:
    """aiohttp's answer to a request its HTTP parser refused, as JSON like every other error.

    aiohttp answers those (a 100 KB request line, a bad chunk size, ...) in plain text echoing
    the request, before any middleware runs; API.md promises JSON and never an echo.
    """
    if status >= 500:
        log.error("error handling a request from %s", request.remote, exc_info=exc)
    else:
        log.info("refused malformed HTTP from %s: %s", request.remote, type(exc).__name__ if exc else status)
    if request.writer.output_size > 0:
        raise ConnectionError("the response had begun; the connection is closed instead")
    text = "the request is not valid HTTP" if status < 500 else "internal error; the server log has the details"
    response = web.json_response({"error": text}, status=status)
    response.force_close()
    return response


RequestHandler.handle_error = _json_protocol_error  # type: ignore[method-assign]


@web.middleware
async def closing_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """While shutting down, new work is refused with 503; reads still answer."""
    if request.method == "POST" and REGISTRY in request.app and request.app[REGISTRY].closing:
        return error_response(503, "the server is shutting down")
    return await handler(request)


async def _sandbox_ctx(app: web.Application) -> AsyncIterator[None]:
    sandbox = Sandbox(app[SETTINGS], app[BACKENDS], app[METRICS])
    await sandbox.start()
    app[SANDBOX] = sandbox
    yield
    await sandbox.close()


async def _registry_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    registry = TaskRegistry(
        app[SANDBOX], app[METRICS], settings.workers, settings.queue_size, settings.task_ttl, settings.max_tasks
    )
    await registry.start()
    app[REGISTRY] = registry
    yield
    await registry.close(settings.shutdown_grace)


async def _stop_taking_tasks(app: web.Application) -> None:
    # on_shutdown runs before open requests are waited for: refuse new work from here on and end
    # the running tasks, so that a client waiting on /execute gets its (terminated) result.
    await app[REGISTRY].close(app[SETTINGS].shutdown_grace)


def create_app(settings: Settings) -> web.Application:
    """Build the application; resources open in its cleanup contexts, not here."""
    app = web.Application(middlewares=[error_middleware, closing_middleware], client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[BACKENDS] = load_backends(settings.images_dir)
    app[METRICS] = Metrics()
    app.cleanup_ctx.extend([_sandbox_ctx, _registry_ctx])
    app.on_shutdown.append(_stop_taking_tasks)
    app.router.add_get("/backends", handlers.list_backends)
    app.router.add_post("/task", handlers.create_task)
    app.router.add_get("/task/{id}", handlers.get_task)
    app.router.add_delete("/task/{id}", handlers.delete_task)
    app.router.add_post("/execute", handlers.execute)
    app.router.add_get("/", handlers.playground)
    app.router.add_get("/healthz", handlers.healthz)
    app.router.add_get("/readyz", handlers.readyz)
    app.router.add_get("/metrics", handlers.metrics)
    app.router.add_get("/openapi.json", handlers.openapi)
    app.router.add_get("/docs", handlers.docs)
    return app
