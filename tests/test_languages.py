"""Every backend, through HTTP against its real image, with nothing but `backend` and `files`,
at the default limits."""

from __future__ import annotations

import pytest

from service.backends import load_backends
from service.settings import PROJECT_ROOT
from tests.client import Api
from tests.programs import PROGRAMS

BACKENDS = load_backends(PROJECT_ROOT / "images")
COMPILED = sorted(name for name, backend in BACKENDS.items() if backend.compile)
ALL = sorted(BACKENDS)


def request(backend: str, source: str, stdin: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"backend": backend, "files": {BACKENDS[backend].file: {"data": source}}}
    if stdin is not None:
        body["run"] = {"stdin": stdin}
    return body


def test_all_sixteen_rccvm_backends_are_offered(api: Api) -> None:
    offered = {backend["name"]: backend for backend in api.get("/backends").json()["backends"]}
    assert set(offered) == {
        "bash",
        "clojure",
        "commonlisp",
        "cpp",
        "gcc",
        "go",
        "haskell",
        "java",
        "javascript",
        "perl",
        "php",
        "python2",
        "python3",
        "ruby",
        "scala",
        "tcl",
    }
    for name, backend in offered.items():
        assert backend["version"], name  # read from the image when it was built
        assert backend["run"] == BACKENDS[name].run


@pytest.mark.parametrize("backend", ALL)
def test_hello_world_with_default_argv(api: Api, backend: str) -> None:
    result = api.execute(request(backend, PROGRAMS[backend]["hello"]))
    assert result["run"]["status"] == "ok", result
    assert result["run"]["stdout"] == "hello world\n"
    assert ("compile" in result) == (backend in COMPILED)


@pytest.mark.parametrize("backend", ALL)
def test_sum_of_numbers_from_stdin(api: Api, backend: str) -> None:
    result = api.execute(request(backend, PROGRAMS[backend]["sum"], stdin="1 2 3\n40\n"))
    assert result["run"]["status"] == "ok", result
    assert result["run"]["stdout"] == "46\n"


@pytest.mark.parametrize("backend", ALL)
def test_runtime_error(api: Api, backend: str) -> None:
    result = api.execute(request(backend, PROGRAMS[backend]["runtime_error"]))
    run = result["run"]
    # An uncaught C++ exception aborts (SIGABRT): a signal, still a runtime error.
    assert run["status"] in ("error", "signal") and run["code"] != 0, result
    assert "boom" in run["stderr"]


@pytest.mark.parametrize("backend", COMPILED)
def test_compile_error_skips_the_run(api: Api, backend: str) -> None:
    result = api.execute(request(backend, PROGRAMS[backend]["compile_error"]))
    assert result["compile"]["status"] == "error" and result["compile"]["code"] != 0, result
    assert result["compile"]["stderr"] or result["compile"]["stdout"]
    assert "run" not in result
