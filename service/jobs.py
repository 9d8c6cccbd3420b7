"""From the API's request to a sandbox job, and from the sandbox's outcome to the API's result."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from pydantic import ValidationError

from service.backends import Backend
from service.errors import BadRequest, Unprocessable
from service.models import ErrorDetail, Result, StageResult, TaskRequest
from service.sandbox import Job, Outcome, StageSpec, decode_output
from service.settings import Settings

# Unit each option is given in, for messages that name the allowed range.
OPTION_UNITS = {
    "timeLimit": "seconds",
    "compileTimeLimit": "seconds",
    "memoryLimit": "MiB",
    "processLimit": "processes",
    "outputLimit": "bytes",
}


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds, e.g. 2026-12-04T19:22:27.123Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_request(body: bytes) -> TaskRequest:
    """Validate a request body: 400 if it is not JSON, 422 naming the broken rule otherwise."""
    try:
        return TaskRequest.model_validate_json(body)
    except ValidationError as error:
        problems = error.errors(include_input=False, include_url=False)
        if any(problem["type"] == "json_invalid" for problem in problems):
            raise BadRequest("the request body is not valid JSON") from None
        if any(problem["type"] == "model_type" and not problem["loc"] for problem in problems):
            raise Unprocessable("the request body must be a JSON object") from None
        raise Unprocessable("; ".join(_describe(problem) for problem in problems[:5])) from None


def _describe(problem: object) -> str:
    assert isinstance(problem, dict)
    # A file path is a key: say "a file path" rather than echo the client's path back.
    location = [str(part) for part in problem["loc"]]
    if location[:1] == ["files"] and len(location) > 1:
        location[1] = "<path>"
    if location[:1] in (["compile"], ["run"]) and len(location) > 2 and location[1] == "env":
        location[2] = "<name>"
    return f"{'.'.join(location) or 'body'}: {problem['msg']}"


def _resolve(settings: Settings, backend: Backend, request: TaskRequest, option: str) -> float:
    limit = backend.limit(option, settings.limits)
    value = getattr(request.options, option)
    if value is None:
        return limit.default
    if not limit.minimum <= value <= limit.maximum:
        raise Unprocessable(
            f"options.{option} must be between {limit.minimum} and {limit.maximum} {OPTION_UNITS[option]}"
        )
    return float(value)


def _decode_files(request: TaskRequest) -> dict[str, tuple[bytes, bool]]:
    files: dict[str, tuple[bytes, bool]] = {}
    for path, spec in request.files.items():
        if spec.encoding == "base64":
            try:
                data = base64.b64decode(spec.data, validate=True)
            except (binascii.Error, ValueError):
                raise Unprocessable("files.<path>.data is not valid base64") from None
        else:
            data = spec.data.encode()
        files[path] = (data, spec.executable)
    for path in files:
        # "a" as a file and "a/b" as another cannot both exist.
        parts = path.split("/")
        if any("/".join(parts[:depth]) in files for depth in range(1, len(parts))):
            raise Unprocessable("a file path uses another file as a directory")
    return files


def build_job(settings: Settings, backends: dict[str, Backend], available: set[str], request: TaskRequest) -> Job:
    """Turn a valid request into a job with its limits resolved; 422 for what breaks a rule."""
    backend = backends.get(request.backend)
    if backend is None or request.backend not in available:
        raise Unprocessable(f"unknown backend; GET /backends lists the {len(available)} this server runs")
    time_limit = _resolve(settings, backend, request, "timeLimit")
    compile_limit = _resolve(settings, backend, request, "compileTimeLimit")
    memory = int(_resolve(settings, backend, request, "memoryLimit"))
    processes = int(_resolve(settings, backend, request, "processLimit"))
    output = int(_resolve(settings, backend, request, "outputLimit"))

    stages: list[StageSpec] = []
    compile_stage = request.compile
    compile_argv = compile_stage.argv if compile_stage and compile_stage.argv is not None else backend.compile
    if compile_argv:
        stages.append(
            StageSpec(
                "compile",
                list(compile_argv),
                dict(compile_stage.env) if compile_stage else {},
                b"",
                int(compile_limit * 1000),
            )
        )
    run_stage = request.run
    run_argv = run_stage.argv if run_stage and run_stage.argv is not None else backend.run
    stdin = (run_stage.stdin or "").encode() if run_stage else b""
    stages.append(
        StageSpec("run", list(run_argv), dict(run_stage.env) if run_stage else {}, stdin, int(time_limit * 1000))
    )
    return Job(backend, _decode_files(request), stages, memory, processes, output)


def to_result(outcome: Outcome) -> Result:
    """The API's result object for a sandbox outcome; stages that did not run are absent."""
    stages: dict[str, StageResult] = {}
    for name, stage in outcome.stages.items():
        stages[name] = StageResult(
            code=stage.code,
            stdout=decode_output(bytes(stage.stdout), stage.stdout_truncated),
            stderr=decode_output(bytes(stage.stderr), stage.stderr_truncated),
            status=stage.status,
            signal=stage.signal_name,
            stdoutTruncated=stage.stdout_truncated,
            stderrTruncated=stage.stderr_truncated,
            durationMs=stage.duration_ms,
            memoryPeakBytes=stage.memory_peak,
        )
    error = (
        ErrorDetail(type=outcome.error_type, message=outcome.error) if outcome.error_type and outcome.error else None
    )
    return Result(compile=stages.get("compile"), run=stages.get("run"), error=error)
