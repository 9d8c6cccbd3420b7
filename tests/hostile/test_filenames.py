"""Hostile file names in the request, and hostile trees a program leaves in its working directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.client import Api
from tests.conftest import Server, assert_no_leaks
from tests.hostile.conftest import assert_next_task_works, attack, execute

# The attacks API.md names, each its own case: parent folder, absolute, NUL, too long, too deep.
BAD_PATHS = {
    "parent": "../escape.sh",
    "parent-inside": "a/../../escape.sh",
    "absolute": "/etc/passwd",
    "nul": "a\x00b.sh",
    "part-too-long": "x" * 101,
    "too-deep": "/".join(["d"] * 9),
}
# Further shapes a path must not take; one case for all of them.
OTHER_BAD_PATHS = [
    "..",
    ".",
    "a/./b.sh",
    "//server/share",
    "a//b.sh",
    "a/",
    "",
    "C:\\windows",
    "with space.sh",
    "caf\u00e9.sh",
    "~/x",
    "a" * 100 + "/" + "b" * 101,
    "d/" * 5000 + "x",
]


def _rejected(api: Api, body: object) -> str:
    response = api.post("/execute", body)
    assert response.status_code == 422, (response.status_code, response.text)
    message: str = response.json()["error"]
    assert message and "Traceback" not in message
    return message


def _request_with(path: str) -> dict[str, object]:
    return {"backend": "bash", "files": {path: {"data": "echo pwned > /tmp/x"}}, "run": {"argv": ["true"]}}


@pytest.mark.parametrize("path", BAD_PATHS.values(), ids=BAD_PATHS.keys())
def test_bad_file_path_is_422(api: Api, path: str) -> None:
    assert "path" in _rejected(api, _request_with(path))
    assert_next_task_works(api)


def test_other_bad_file_paths_are_422(api: Api) -> None:
    for path in OTHER_BAD_PATHS:
        assert "path" in _rejected(api, _request_with(path)), path
    assert_next_task_works(api)


def test_longest_allowed_path_works(api: Api) -> None:
    # The limits themselves are allowed: 8 levels, parts of 100 characters.
    path = "/".join([f"{level}" * 100 for level in range(8)])
    result = execute(api, {"backend": "bash", "files": {path: {"data": "deep\n"}}, "run": {"argv": ["cat", path]}})
    assert result["run"]["status"] == "ok" and result["run"]["stdout"] == "deep\n", result
    assert_next_task_works(api)


def test_a_file_used_as_a_folder_is_422(api: Api) -> None:
    files = {"a": {"data": "x"}, "a/b": {"data": "y"}}
    _rejected(api, {"backend": "bash", "files": files, "run": {"argv": ["true"]}})
    assert_next_task_works(api)


def test_thousands_of_files_in_one_request_are_422(api: Api) -> None:
    files = {f"f{n}.txt": {"data": "x"} for n in range(5000)}
    assert "files" in _rejected(api, {"backend": "bash", "files": files, "run": {"argv": ["true"]}})
    assert_next_task_works(api)


def test_exactly_one_hundred_files_are_written(api: Api) -> None:
    files = {f"dir{n % 10}/f{n}.txt": {"data": str(n)} for n in range(100)}
    script = "find . -type f | wc -l; cat dir7/f97.txt"
    result = execute(api, {"backend": "bash", "files": files, "run": {"argv": ["/bin/bash", "-c", script]}})
    assert result["run"]["status"] == "ok" and result["run"]["stdout"] == "100\n97", result
    assert_next_task_works(api)


def _fingerprint(path: Path) -> tuple[str, int, int]:
    status = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), status.st_mode, status.st_mtime_ns


def test_symlinks_to_host_files_are_never_followed(api: Api, server: Server, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("host data\n")
    victim_dir = tmp_path / "victim_dir"
    victim_dir.mkdir()
    (victim_dir / "inside.txt").write_text("more host data\n")
    watched = [victim, victim_dir / "inside.txt", Path("/etc/shadow"), Path("/etc/passwd")]
    before = [_fingerprint(path) for path in watched]
    dir_before = (victim_dir.stat().st_mode, sorted(path.name for path in victim_dir.iterdir()))

    run = execute(api, attack("symlink_to_host.sh", str(victim), str(victim_dir)))["run"]
    assert run["status"] == "ok" and run["stdout"] == "4\n", run

    assert_next_task_works(api)
    assert_no_leaks(server)  # the task directory with its links is gone: look at the host only now
    assert [_fingerprint(path) for path in watched] == before
    assert (victim_dir.stat().st_mode, sorted(path.name for path in victim_dir.iterdir())) == dir_before


def test_unremovable_looking_tree_is_removed(api: Api) -> None:
    run = execute(api, attack("hostile_tree.sh"))["run"]
    assert run["status"] == "ok" and run["stdout"] == "planted\n", run
    assert_next_task_works(api)


def test_deeply_nested_folders_are_removed(api: Api) -> None:
    run = execute(api, attack("deep_directories.py"))["run"]
    assert run["status"] == "ok" and run["stdout"] == "depth 3000\n", run
    assert_next_task_works(api)
