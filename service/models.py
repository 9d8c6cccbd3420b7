"""The public API's request and response models: API.md in code."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

MAX_FILES = 100
MAX_PATH_DEPTH = 8
MAX_ARGV = 256
MAX_ENV = 64
PATH_PART = re.compile(r"[A-Za-z0-9._+\-]{1,100}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

NoNul = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


def check_path(path: str) -> str:
    """Enforce API.md's file path rule; the message says which part broke it, not the path."""
    parts = path.split("/")
    if len(parts) > MAX_PATH_DEPTH:
        raise ValueError(f"a file path may have at most {MAX_PATH_DEPTH} levels")
    for part in parts:
        if part in (".", "..") or not PATH_PART.fullmatch(part):
            raise ValueError(
                "a file path must be relative, '/'-separated, each part 1-100 characters of letters, "
                "digits, '.', '_', '-', '+', and not '.' or '..'"
            )
    return path


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class FileSpec(Strict):
    """One file of the task."""

    data: str
    encoding: Literal["utf8", "base64"] = "utf8"
    executable: bool = False


class Stage(Strict):
    """The argv and environment of a stage; argv absent means the backend's default."""

    argv: list[NoNul] | None = Field(default=None, max_length=MAX_ARGV)
    env: dict[str, NoNul] = Field(default_factory=dict, max_length=MAX_ENV)

    @field_validator("env")
    @classmethod
    def _env_names(cls, env: dict[str, str]) -> dict[str, str]:
        for name in env:
            if not ENV_NAME.fullmatch(name):
                raise ValueError("environment names must match [A-Za-z_][A-Za-z0-9_]*")
        return env


class CompileStage(Stage):
    """The compile stage; `argv: []` means no compile stage."""

    @field_validator("argv")
    @classmethod
    def _first_not_empty(cls, argv: list[str] | None) -> list[str] | None:
        if argv and not argv[0]:
            raise ValueError("the first argv string must not be empty")
        return argv


class RunStage(Stage):
    """The run stage, with what the program reads on standard input."""

    stdin: str | None = None

    @field_validator("argv")
    @classmethod
    def _not_empty(cls, argv: list[str] | None) -> list[str] | None:
        if argv is not None and (not argv or not argv[0]):
            raise ValueError("run argv must not be empty and its first string must not be empty")
        return argv


class Options(Strict):
    """Per-request limits (API.md's options); each within the server's range."""

    timeLimit: int | float | None = None
    compileTimeLimit: int | float | None = None
    memoryLimit: int | None = None
    processLimit: int | None = None
    outputLimit: int | None = None


class TaskRequest(Strict):
    """The body of POST /task and POST /execute."""

    backend: str = "bash"
    options: Options = Field(default_factory=Options)
    files: dict[str, FileSpec] = Field(default_factory=dict, max_length=MAX_FILES)
    compile: CompileStage | None = None
    run: RunStage | None = None

    @field_validator("files")
    @classmethod
    def _paths(cls, files: dict[str, FileSpec]) -> dict[str, FileSpec]:
        for path in files:
            check_path(path)
        return files


class StageResult(BaseModel):
    """How one stage ended."""

    code: int
    stdout: str
    stderr: str
    status: Literal["ok", "error", "timeout", "memory", "output", "signal", "internal"]
    signal: str | None = None
    stdoutTruncated: bool = False
    stderrTruncated: bool = False
    durationMs: int = 0
    memoryPeakBytes: int | None = None


class ErrorDetail(BaseModel):
    """RCCVM's error object: the service could not run the task."""

    type: str
    message: str


class Result(BaseModel):
    """The result object: `response` of a task and the body of POST /execute."""

    compile: StageResult | None = None
    run: StageResult | None = None
    error: ErrorDetail | None = None


class TaskView(BaseModel):
    """A task as GET /task/{id} shows it."""

    id: str
    createdAt: str
    startedAt: str | None = None
    finishedAt: str | None = None
    terminated: bool
    status: Literal["queued", "running", "finished", "cancelled", "failed"]
    response: Result | None = None


class Backend(BaseModel):
    """One entry of GET /backends."""

    name: str
    description: str
    version: str | None = None
    compile: list[str] | None = None
    run: list[str]
    file: str


class BackendList(BaseModel):
    """The body of GET /backends."""

    backends: list[Backend]


class Error(BaseModel):
    """Every error body."""

    error: str
