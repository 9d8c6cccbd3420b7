"""The command-line client (service/client.py) run as a user runs it, against the real server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from service.settings import PROJECT_ROOT
from tests.client import Api
from tests.conftest import free_port

HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello, world"); return 0; }\n'


def cli(*args: str, cwd: Path, server: str | None = None, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """`python -m service.client ARGS` in `cwd`, its output as raw bytes."""
    env = {key: value for key, value in os.environ.items() if key != "SANDPIT_URL"}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    server_args = ["--server", server] if server else []
    return subprocess.run(
        [sys.executable, "-m", "service.client", *args, *server_args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=180,
        check=False,
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_hello_world_in_c(api: Api, tmp_path: Path) -> None:
    write(tmp_path, "hello.c", HELLO_C)
    done = cli("run", "hello.c", "--backend", "gcc", cwd=tmp_path, server=api.base)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"hello, world\n", b"")


def test_backend_guessed_from_extension(api: Api, tmp_path: Path) -> None:
    # .c is gcc's; .py is both python2's and python3's, and means python3.
    write(tmp_path, "hello.c", HELLO_C)
    done = cli("run", "hello.c", cwd=tmp_path, server=api.base)
    assert (done.returncode, done.stdout) == (0, b"hello, world\n"), done.stderr
    write(tmp_path, "version.py", "import sys\nprint(sys.version_info[0])\n")
    done = cli("run", "version.py", cwd=tmp_path, server=api.base)
    assert (done.returncode, done.stdout) == (0, b"3\n"), done.stderr


def test_main_file_sent_under_the_backends_name(api: Api, tmp_path: Path) -> None:
    # javac insists that public class Main lives in Main.java: hello.java must be renamed.
    write(
        tmp_path,
        "hello.java",
        'public class Main { public static void main(String[] a) { System.out.println("from " + "Main"); } }\n',
    )
    done = cli("run", "hello.java", cwd=tmp_path, server=api.base)
    assert (done.returncode, done.stdout) == (0, b"from Main\n"), done.stderr


def test_exit_code_and_streams_propagate(api: Api, tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.c",
        '#include <stdio.h>\nint main(void) { fputs("to err\\n", stderr); printf("to out"); return 3; }\n',
    )
    done = cli("run", "main.c", cwd=tmp_path, server=api.base)
    assert (done.returncode, done.stdout, done.stderr) == (3, b"to out", b"to err\n")


def test_output_is_written_exactly_as_produced(api: Api, tmp_path: Path) -> None:
    write(tmp_path, "main.py", 'import sys\nsys.stdout.write("h\\u00e9llo \\u2603\\r\\n\\tend")\n')
    done = cli("run", "main.py", cwd=tmp_path, server=api.base)
    assert (done.returncode, done.stdout, done.stderr) == (0, "héllo ☃\r\n\tend".encode(), b"")


def test_stdin_from_a_file_and_from_the_clients_own(api: Api, tmp_path: Path) -> None:
    write(tmp_path, "sum.py", "import sys\nprint(2 * sum(int(word) for word in sys.stdin.read().split()))\n")
    write(tmp_path, "numbers.txt", "1 2 3\n4\n")
    done = cli("run", "sum.py", "--stdin", "numbers.txt", cwd=tmp_path, server=api.base)
    assert (done.returncode, done.stdout) == (0, b"20\n"), done.stderr
    done = cli("run", "sum.py", "--stdin", "-", cwd=tmp_path, server=api.base, stdin=b"10 11\n")
    assert (done.returncode, done.stdout) == (0, b"42\n"), done.stderr
    # Without --stdin the program reads EOF at once.
    done = cli("run", "sum.py", cwd=tmp_path, server=api.base, stdin=b"10 11\n")
    assert (done.returncode, done.stdout) == (0, b"0\n"), done.stderr


def test_extra_files_keep_their_relative_path(api: Api, tmp_path: Path) -> None:
    write(tmp_path, "lib/answer.h", "#define ANSWER (6 * 7)\n")
    write(
        tmp_path, "main.c", '#include <stdio.h>\n#include "lib/answer.h"\nint main(void) { printf("%d\\n", ANSWER); }\n'
    )
    done = cli("run", "main.c", "--file", "lib/answer.h", cwd=tmp_path, server=api.base)
    assert (done.returncode, done.stdout) == (0, b"42\n"), done.stderr


def test_binary_extra_file_arrives_intact(api: Api, tmp_path: Path) -> None:
    (tmp_path / "blob.bin").write_bytes(bytes([0xFF, 0x00, 0xFE, 0x80]))
    write(tmp_path, "main.py", "print(open('blob.bin', 'rb').read().hex())\n")
    done = cli("run", "main.py", "-f", "blob.bin", cwd=tmp_path, server=api.base)
    assert (done.returncode, done.stdout) == (0, b"ff00fe80\n"), done.stderr


def test_compile_error_goes_to_stderr_with_the_compilers_code(api: Api, tmp_path: Path) -> None:
    write(tmp_path, "broken.c", "int main(void) { return undeclared_thing; }\n")
    done = cli("run", "broken.c", cwd=tmp_path, server=api.base)
    assert done.returncode == 1  # gcc's own exit code
    assert done.stdout == b""
    assert b"undeclared_thing" in done.stderr and b"error" in done.stderr


def test_verbose_shows_compile_warnings_and_statuses(api: Api, tmp_path: Path) -> None:
    write(tmp_path, "main.c", "#warning look here\nint main(void) { return 0; }\n")
    quiet = cli("run", "main.c", cwd=tmp_path, server=api.base)
    assert (quiet.returncode, quiet.stderr) == (0, b"")
    loud = cli("run", "main.c", "-v", cwd=tmp_path, server=api.base)
    assert loud.returncode == 0
    assert b"look here" in loud.stderr
    assert b"sandpit: compile: status ok, code 0" in loud.stderr
    assert b"sandpit: run: status ok, code 0" in loud.stderr


def test_time_limit_is_applied_and_reported(api: Api, tmp_path: Path) -> None:
    write(tmp_path, "main.py", "import time\nprint('started', flush=True)\ntime.sleep(30)\n")
    done = cli("run", "main.py", "--time-limit", "1", cwd=tmp_path, server=api.base)
    assert done.returncode != 0
    assert done.stdout == b"started\n"
    assert done.stderr.endswith(b"sandpit: the time limit was reached\n")


def test_a_rejected_request_exits_125_with_the_servers_reason(api: Api, tmp_path: Path) -> None:
    write(tmp_path, "main.py", "print(1)\n")
    done = cli("run", "main.py", "--memory-limit", "1", cwd=tmp_path, server=api.base)
    assert done.returncode == 125
    assert done.stdout == b""
    assert b"422" in done.stderr and b"options.memoryLimit must be between" in done.stderr


def test_usage_errors_exit_2_and_ask_for_a_backend(api: Api, tmp_path: Path) -> None:
    write(tmp_path, "notes.xyz", "hello\n")
    done = cli("run", "notes.xyz", cwd=tmp_path, server=api.base)
    assert done.returncode == 2 and b"--backend" in done.stderr
    write(tmp_path, "Makefile", "all:\n")
    done = cli("run", "Makefile", cwd=tmp_path, server=api.base)
    assert done.returncode == 2 and b"--backend" in done.stderr
    done = cli("run", "missing.c", cwd=tmp_path, server=api.base)
    assert done.returncode == 2 and b"cannot read missing.c" in done.stderr
    done = cli("run", "notes.xyz", "--backend", "cobol", cwd=tmp_path, server=api.base)
    assert done.returncode == 2 and b"no backend 'cobol'" in done.stderr


def test_backends_lists_gcc_with_its_version(api: Api, tmp_path: Path) -> None:
    done = cli("backends", cwd=tmp_path, server=api.base)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "DESCRIPTION"]
    listed = {line.split()[0]: line for line in lines[1:]}
    gcc = next(entry for entry in api.get("/backends").json()["backends"] if entry["name"] == "gcc")
    assert listed["gcc"].split(None, 2) == ["gcc", gcc["version"], gcc["description"]]
    assert set(listed) == {entry["name"] for entry in api.get("/backends").json()["backends"]}


def test_server_from_the_environment(api: Api, tmp_path: Path) -> None:
    env = {**os.environ, "SANDPIT_URL": api.base, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "service.client", "backends"], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0 and b"gcc" in done.stdout, done.stderr


def test_unreachable_server_exits_125(tmp_path: Path) -> None:
    write(tmp_path, "hello.c", HELLO_C)
    nobody = f"http://127.0.0.1:{free_port()}"
    for args in (("run", "hello.c"), ("backends",)):
        done = cli(*args, cwd=tmp_path, server=nobody)
        assert done.returncode == 125
        assert done.stdout == b""
        assert f"cannot reach the server at {nobody}".encode() in done.stderr
        assert b"Traceback" not in done.stderr
