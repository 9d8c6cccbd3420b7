"""One small exception hierarchy and the middleware that turns it into JSON errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the client gets as `{"error": message}` with an HTTP status."""

    status = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400


class NotFound(ApiError):
    status = 404


class PayloadTooLarge(ApiError):
    status = 413


class Unprocessable(ApiError):
    status = 422


class QueueFull(ApiError):
    status = 429


class Unavailable(ApiError):
    status = 503


class EngineUnavailable(Exception):
    """The container engine could not be reached or failed; the task cannot run."""


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    """The one shape of every error body."""
    return web.json_response({"error": message}, status=status, headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into `{"error": ...}`; never an empty body, never a traceback."""
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error.status, error.message, error.headers)
    except EngineUnavailable as error:
        return error_response(503, f"the container engine is unavailable: {error}")
    except web.HTTPException as error:
        if error.status == 404:
            return error_response(404, "no such route; the API is described at /docs")
        if error.status == 405:
            allow = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else None
            return error_response(405, f"{request.method} is not allowed on this path", allow)
        if error.status == 413:
            return error_response(413, "the request body is larger than the configured maximum")
        if error.status < 400:
            raise
        return error_response(error.status, error.reason)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal error; the server log has the details")
