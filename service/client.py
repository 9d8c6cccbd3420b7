"""A command-line client of the public API, standard library only.

    python -m service.client run main.c [--backend gcc] [--stdin FILE] [--file extra.h ...]
    python -m service.client backends

`run` sends the file(s) with POST /task, polls GET /task/{id} until the task has a `finishedAt`
(so it works whether or not the server enables /execute), writes the program's stdout and
stderr as they were produced, and exits with the program's exit code. Exit codes of its own:
125 when the service could not run the task (unreachable, an HTTP error, a failed task), 2 for
a usage error (a missing file, a backend it cannot guess).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import posixpath
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

DEFAULT_SERVER = "http://127.0.0.1:9900"
SERVICE_ERROR = 125  # as `docker run` does: the tool failed, not the program
USAGE_ERROR = 2  # as argparse does
INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl+C
BROKEN_PIPE = 141  # 128 + SIGPIPE

# Where two backends share an extension, the one a person most likely means.
PREFERRED = {".py": "python3"}
# Common extensions besides the backends' conventional ones, and the extension they stand for.
ALIASES = {
    ".bash": ".sh",
    ".cc": ".cpp",
    ".cxx": ".cpp",
    ".c++": ".cpp",
    ".mjs": ".js",
    ".cjs": ".js",
    ".cl": ".lisp",
    ".lsp": ".lisp",
    ".scala": ".sc",
    ".py3": ".py",
}
REQUEST_TIMEOUT = 30.0  # seconds for one HTTP request: every call used here answers at once
QUEUE_FULL_RETRIES = 5  # a 429 (queue full) is retried this often, after its Retry-After


class ClientError(Exception):
    """The task could not be run; the message says why, for a person."""


class UsageError(Exception):
    """The command line asks for something impossible (a missing file, an unknown backend)."""


class Server:
    """The public API of one sandpit server, over urllib."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
        """One request; the status, headers and decoded JSON body. HTTP errors are returned too."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, dict(response.headers), _decode(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), _decode(error.read())
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ClientError(f"cannot reach the server at {self.base}: {reason}") from error

    def expect(self, method: str, path: str, body: Any, status: int) -> dict[str, Any]:
        """A request that must answer `status` with a JSON object; anything else is a ClientError."""
        code, _, payload = self.call(method, path, body)
        if code != status or not isinstance(payload, dict):
            raise ClientError(f"{method} {path}: {_describe(code, payload)}")
        return payload

    def backends(self) -> list[dict[str, Any]]:
        """GET /backends."""
        listing = self.expect("GET", "/backends", None, 200).get("backends")
        if not isinstance(listing, list):
            raise ClientError("GET /backends: the answer has no list of backends")
        return [entry for entry in listing if isinstance(entry, dict) and isinstance(entry.get("name"), str)]

    def submit(self, request: dict[str, Any]) -> dict[str, Any]:
        """POST /task; a full queue (429) is retried after the server's Retry-After."""
        for attempt in range(QUEUE_FULL_RETRIES + 1):
            code, headers, payload = self.call("POST", "/task", request)
            if code == 202 and isinstance(payload, dict) and isinstance(payload.get("id"), str):
                return payload
            if code != 429 or attempt == QUEUE_FULL_RETRIES:
                raise ClientError(f"POST /task: {_describe(code, payload)}")
            time.sleep(min(_retry_after(headers), 10.0))
        raise AssertionError("unreachable")

    def wait(self, task_id: str, deadline: float) -> dict[str, Any]:
        """Poll GET /task/{id} until the task has a finishedAt (its absence means: not yet)."""
        delay = 0.02
        while True:
            task = self.expect("GET", f"/task/{task_id}", None, 200)
            if "finishedAt" in task:
                return task
            if time.monotonic() > deadline:
                raise ClientError(f"task {task_id} did not finish in time (see --wait)")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def cancel(self, task_id: str) -> None:
        """DELETE /task/{id}, best effort: the client is going away anyway."""
        with contextlib.suppress(ClientError):
            self.call("DELETE", f"/task/{task_id}")


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _describe(code: int, payload: Any) -> str:
    """An HTTP answer for a person: the server's own error sentence where it sent one."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        return f"{code}: {payload['error']}"
    return f"unexpected answer (HTTP {code})"


def _retry_after(headers: dict[str, str]) -> float:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(float(value), 0.1)
            except ValueError:
                break
    return 1.0


def guess_backend(path: Path, backends: Sequence[dict[str, Any]]) -> str:
    """The backend whose conventional file has this file's extension; ambiguous is an error."""
    extension = path.suffix.lower()
    if not extension:
        raise UsageError(f"{path.name} has no extension to guess the backend from; name one with --backend")
    extension = ALIASES.get(extension, extension)
    matches = sorted(
        str(entry["name"])
        for entry in backends
        if isinstance(entry.get("file"), str) and PurePosixPath(entry["file"]).suffix.lower() == extension
    )
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"no backend on this server runs {extension} files; name one with --backend")
    preferred = PREFERRED.get(extension)
    if preferred in matches:
        return preferred
    raise UsageError(f"{extension} files could be run by {', '.join(matches)}; choose one with --backend")


def file_spec(path: Path) -> dict[str, Any]:
    """A file of the request: UTF-8 text as it is, anything else in base64."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from error
    try:
        return {"data": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"data": base64.b64encode(data).decode("ascii"), "encoding": "base64"}


def extra_name(path: str) -> str:
    """The name an extra file gets in the task: its relative path as given, else its base name."""
    pure = PurePosixPath(path.replace(os.sep, "/"))
    if pure.is_absolute() or ".." in pure.parts:
        return pure.name
    return posixpath.normpath(str(pure))


def build_request(args: argparse.Namespace, backends: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The POST /task body for `run`'s arguments."""
    main = Path(args.source)
    name = args.backend or guess_backend(main, backends)
    backend = next((entry for entry in backends if entry["name"] == name), None)
    if backend is None:
        known = ", ".join(sorted(str(entry["name"]) for entry in backends))
        raise UsageError(f"this server has no backend {name!r}; it has: {known}")
    main_name = backend.get("file") if isinstance(backend.get("file"), str) else main.name
    files: dict[str, dict[str, Any]] = {str(main_name): file_spec(main)}
    for extra in args.file:
        extra_path = extra_name(extra)
        if extra_path in files:
            raise UsageError(f"two files would both be named {extra_path} in the task")
        files[extra_path] = file_spec(Path(extra))
    request: dict[str, Any] = {"backend": name, "files": files}
    options: dict[str, Any] = {}
    if args.time_limit is not None:
        options["timeLimit"] = args.time_limit
    if args.memory_limit is not None:
        options["memoryLimit"] = args.memory_limit
    if options:
        request["options"] = options
    if args.stdin is not None:
        if args.stdin == "-":
            stdin = sys.stdin.buffer.read()
        else:
            try:
                stdin = Path(args.stdin).read_bytes()
            except OSError as error:
                raise UsageError(f"cannot read {args.stdin}: {error.strerror or error}") from error
        request["run"] = {"stdin": stdin.decode("utf-8", errors="replace")}
    return request


def _write(stream: Any, text: object) -> None:
    if isinstance(text, str) and text:
        stream.buffer.write(text.encode("utf-8", errors="replace"))
        stream.flush()


def _exit_code(code: object) -> int:
    """A stage's code as a process exit status (0-255); never 0 for a stage that failed."""
    if not isinstance(code, int) or isinstance(code, bool):
        return SERVICE_ERROR
    return code if 0 <= code <= 255 else (code % 256 or 1)


# A note on stderr for the ways a stage ends that its own output does not tell.
NOTES = {
    "timeout": "the time limit was reached",
    "memory": "the memory limit was reached",
    "output": "the output limit was reached",
    "signal": "killed by a signal",
    "internal": "the service failed to run it",
}


def report(task: dict[str, Any], verbose: bool) -> int:
    """Write the finished task's output as produced; the exit code the CLI should end with."""
    result = task.get("response")
    if not isinstance(result, dict):
        raise ClientError(f"the task ended {task.get('status', 'without a result')} and has no result")
    error = result.get("error")
    if error is not None:
        message = error.get("message") if isinstance(error, dict) else error
        kind = f" ({error['type']})" if isinstance(error, dict) and "type" in error else ""
        raise ClientError(f"the service could not run the task{kind}: {message}")
    compiled = result.get("compile")
    run = result.get("run")
    if isinstance(compiled, dict) and (verbose or not isinstance(run, dict)):
        _write(sys.stderr, compiled.get("stdout"))
        _write(sys.stderr, compiled.get("stderr"))
        if verbose:
            _summary("compile", compiled)
    if not isinstance(run, dict):
        if isinstance(compiled, dict):
            status = compiled.get("status")
            if status in NOTES:
                print(f"sandpit: compile stage: {NOTES[status]}", file=sys.stderr)
            return _exit_code(compiled.get("code")) or 1
        raise ClientError(f"the task ended {task.get('status', 'without a result')} without running the program")
    _write(sys.stdout, run.get("stdout"))
    _write(sys.stderr, run.get("stderr"))
    if verbose:
        _summary("run", run)
    elif run.get("status") in NOTES:
        print(f"sandpit: {NOTES[str(run['status'])]}", file=sys.stderr)
    if task.get("status") == "cancelled":
        raise ClientError("the task was cancelled")
    return _exit_code(run.get("code"))


def _summary(stage: str, result: dict[str, Any]) -> None:
    parts = [f"status {result.get('status')}", f"code {result.get('code')}", f"{result.get('durationMs', '?')} ms"]
    if result.get("signal"):
        parts.append(str(result["signal"]))
    parts += [f"{stream} truncated" for stream in ("stdout", "stderr") if result.get(f"{stream}Truncated")]
    print(f"sandpit: {stage}: {', '.join(parts)}", file=sys.stderr)


def command_run(server: Server, args: argparse.Namespace) -> int:
    """`run`: submit, poll, report."""
    request = build_request(args, server.backends())
    task = server.submit(request)
    task_id = str(task["id"])
    try:
        finished = server.wait(task_id, time.monotonic() + args.wait)
    except KeyboardInterrupt:
        # Nobody will read the result: free the worker rather than let the program run on.
        server.cancel(task_id)
        print("sandpit: interrupted; the task was cancelled", file=sys.stderr)
        return INTERRUPTED
    except ClientError:
        server.cancel(task_id)
        raise
    return report(finished, args.verbose)


def command_backends(server: Server, args: argparse.Namespace) -> int:
    """`backends`: a table of name, version and description."""
    rows = [("NAME", "VERSION", "DESCRIPTION")]
    rows += [
        (str(entry["name"]), str(entry.get("version", "")), str(entry.get("description", "")))
        for entry in sorted(server.backends(), key=lambda entry: str(entry["name"]))
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    for name, version, description in rows:
        print(f"{name:<{widths[0]}}  {version:<{widths[1]}}  {description}".rstrip())
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--server",
        default=argparse.SUPPRESS,
        help=f"the sandpit server's URL (default: $SANDPIT_URL or {DEFAULT_SERVER})",
    )
    top = argparse.ArgumentParser(
        prog="python -m service.client",
        description="Run code on a sandpit server.",
        epilog="Exit status of `run`: the program's own; 125 when the service could not run it; 2 for a usage error.",
        parents=[common],
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", parents=[common], help="run a program and show its output")
    run.add_argument("source", metavar="FILE", help="the main file; sent under the backend's main file name")
    run.add_argument("--backend", "-b", help="the backend (default: guessed from FILE's extension)")
    run.add_argument("--stdin", metavar="FILE", help="what the program reads on standard input ('-': this one's)")
    run.add_argument(
        "--file",
        "-f",
        action="append",
        default=[],
        metavar="PATH",
        help="another file of the task, under its relative path (repeatable)",
    )
    run.add_argument("--time-limit", type=float, metavar="S", help="the run stage's wall-clock limit, seconds")
    run.add_argument("--memory-limit", type=int, metavar="MiB", help="the container's memory, MiB")
    run.add_argument(
        "--wait", type=float, default=900.0, metavar="S", help="give up waiting for the result after S seconds"
    )
    run.add_argument(
        "--verbose", "-v", action="store_true", help="show compile output and each stage's status on stderr"
    )
    run.set_defaults(handler=command_run)
    listing = commands.add_parser("backends", parents=[common], help="list the server's backends")
    listing.set_defaults(handler=command_backends)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status."""
    args = parser().parse_args(argv)
    server = Server(getattr(args, "server", None) or os.environ.get("SANDPIT_URL") or DEFAULT_SERVER)
    try:
        code: int = args.handler(server, args)
        return code
    except UsageError as error:
        print(f"sandpit: {error}", file=sys.stderr)
        return USAGE_ERROR
    except ClientError as error:
        print(f"sandpit: {error}", file=sys.stderr)
        return SERVICE_ERROR
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` that closed early: not worth a traceback, nor a second
        # error when Python flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
