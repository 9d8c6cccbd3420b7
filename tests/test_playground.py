"""The playground page (service/static/index.html) in headless Chromium, against the real service.

Chromium is driven through Debian's chromedriver over its W3C WebDriver HTTP API with
`requests`: no browser or driver is downloaded. Needs the Debian packages chromium and
chromium-driver. The browser may reach loopback only: every host name but 127.0.0.1 fails to
resolve, and its background services are off.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.client import Api
from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver key of an element reference
CTRL, ENTER = "\ue009", "\ue007"  # WebDriver's key codes
PAGE = Path(__file__).resolve().parent.parent / "service" / "static" / "index.html"
BACKENDS = {
    "bash", "clojure", "commonlisp", "cpp", "gcc", "go", "haskell", "java",
    "javascript", "perl", "php", "python2", "python3", "ruby", "scala", "tcl",
}  # fmt: skip
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-default-browser-check",
    "--window-size=1280,1000",
    # Nothing but loopback: no name resolves, so no service of the browser can reach out.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


class Browser:
    """One chromedriver session: just the WebDriver calls these tests use."""

    def __init__(self, driver_url: str, session_id: str) -> None:
        self.url = f"{driver_url}/session/{session_id}"
        self.http = requests.Session()

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, self.url + path, json=body, timeout=60)
        payload = response.json()
        assert response.status_code == 200, payload
        return payload["value"]

    def open(self, url: str) -> None:
        self.call("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        return str(self.call("POST", "/element", {"using": "css selector", "value": css})[ELEMENT])

    def click(self, css: str) -> None:
        self.call("POST", f"/element/{self.find(css)}/click", {})

    def clear(self, css: str) -> None:
        self.call("POST", f"/element/{self.find(css)}/clear", {})

    def type(self, css: str, text: str) -> None:
        """Key presses into the element, as a person types them."""
        self.call("POST", f"/element/{self.find(css)}/value", {"text": text})

    def script(self, body: str, *args: Any) -> Any:
        return self.call("POST", "/execute/sync", {"script": body, "args": list(args)})

    def text(self, css: str) -> str:
        """The element's exact text content (WebDriver's own text trims and folds whitespace)."""
        return str(self.script("return document.querySelector(arguments[0]).textContent;", css))

    def value(self, css: str) -> str:
        return str(self.script("return document.querySelector(arguments[0]).value;", css))

    def wait_for(self, what: str, check: Callable[[], Any], timeout: float = 90) -> Any:
        """Poll `check` until it returns something true; on timeout say what the page shows."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.1)
        shown = {css: self.text(css) for css in ("#error", "#task-line", "#run-status", "#compile-status")}
        raise AssertionError(f"timed out waiting for {what}; the page shows {shown}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Headless Chromium under chromedriver, with a fresh profile, for this module's tests."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: apt-get install -y chromium chromium-driver")
    port = free_port()
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    driver = subprocess.Popen(
        [str(CHROMEDRIVER), f"--port={port}", f"--log-path={log}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the teardown ends Chromium with it
    )
    driver_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{driver_url}/status", timeout=1).json()["value"]["ready"]:
                    break
            except requests.ConnectionError:
                pass
            assert driver.poll() is None and time.monotonic() < deadline, "chromedriver did not start"
            time.sleep(0.1)
        profile = tmp_path_factory.mktemp("chromium-profile")
        options = {"binary": str(CHROMIUM), "args": [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]}
        created = requests.post(
            f"{driver_url}/session",
            json={"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}},
            timeout=120,
        )
        assert created.status_code == 200, created.text
        browser = Browser(driver_url, created.json()["value"]["sessionId"])
        try:
            yield browser
        finally:
            browser.http.delete(browser.url, timeout=30)
    finally:
        driver.terminate()
        try:
            driver.wait(timeout=10)
        finally:
            # Whatever chromedriver left of the browser is in its process group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(driver.pid, signal.SIGKILL)


@pytest.fixture
def page(browser: Browser, api: Api) -> Browser:
    """The playground freshly loaded from the session's service, its backends listed."""
    browser.open(f"{api.base}/")
    expected = len(api.get("/backends").json()["backends"])
    browser.wait_for(
        "the backend list",
        lambda: browser.script(
            "const s = document.querySelector('#backend'); return !s.disabled && s.options.length === arguments[0];",
            expected,
        ),
        timeout=30,
    )
    return browser


def pick(page: Browser, backend: str) -> None:
    page.click(f"#backend option[value='{backend}']")
    assert page.value("#backend") == backend


def replace(page: Browser, css: str, text: str) -> None:
    page.clear(css)
    page.type(css, text)
    assert page.value(css) == text


def test_python_program_with_stdin(page: Browser, api: Api) -> None:
    pick(page, "python3")
    assert page.text("#main-file") == "main.py"
    replace(page, "#source", "import sys\nwords = sys.stdin.read().split()\nprint(len(words), 6 * 7)\n")
    replace(page, "#stdin", "to be or\nnot")
    page.click("#run")
    page.wait_for("run status ok", lambda: page.text("#run-status") == "ok")
    assert page.text("#run-stdout") == "4 42\n"
    assert page.text("#run-stderr") == ""
    assert page.text("#run-code") == "0"
    assert re.fullmatch(r"\d+ ms", page.text("#run-duration"))
    assert page.text("#error") == ""
    assert page.script("return document.querySelector('#compile-stage').hidden;") is True
    assert page.text("#task-line") == "Task finished."


def test_gcc_compile_error(page: Browser) -> None:
    pick(page, "gcc")
    assert page.text("#main-file") == "main.c"
    assert page.value("#source").startswith("#include <stdio.h>")  # the template was loaded
    replace(page, "#source", "int main(void) { return undeclared_thing; }\n")
    page.click("#run")
    page.wait_for("compile status error", lambda: page.text("#compile-status") == "error")
    assert "undeclared_thing" in page.text("#compile-stderr")
    assert page.text("#compile-code") == "1"
    assert page.text("#run-status") == "skipped"
    assert page.text("#run-stdout") == ""
    assert page.script("return document.querySelector('#compile-stage').hidden;") is False


def test_ctrl_enter_runs_and_shows_exit_code_and_stderr(page: Browser) -> None:
    pick(page, "bash")
    replace(page, "#source", 'echo "$((6 * 7))" >&2\necho out\nexit 4\n')
    page.type("#source", CTRL + ENTER)
    page.wait_for("run status error", lambda: page.text("#run-status") == "error")
    assert (page.text("#run-code"), page.text("#run-stdout"), page.text("#run-stderr")) == ("4", "out\n", "42\n")
    assert page.value("#source").endswith("exit 4\n")  # Ctrl+Enter ran; it typed no newline


def test_http_error_is_shown(page: Browser) -> None:
    pick(page, "python3")
    page.click("#limits summary")
    replace(page, "#time-limit", "100000")
    page.click("#run")
    page.wait_for("an error", lambda: page.text("#error"))
    error = page.text("#error")
    assert "HTTP 422" in error and "options.timeLimit must be between" in error, error
    assert page.text("#run-status") == "" and page.text("#task-line") == ""  # no task was made
    assert page.text("#run") == "Run"  # the button is usable again


def test_second_file_and_truncation_flags(page: Browser) -> None:
    pick(page, "python3")
    # One byte past the server's default output limit of 1 MiB.
    replace(page, "#source", "import helper\nprint(helper.VALUE)\nprint('x' * (1 << 20), end='')\n")
    page.click("#extra-file summary")
    replace(page, "#extra-name", "helper.py")
    replace(page, "#extra-source", "VALUE = 6 * 7\n")
    page.click("#run")
    page.wait_for("run status ok", lambda: page.text("#run-status") == "ok")
    stdout = page.text("#run-stdout")
    assert stdout.startswith("42\nxxx") and len(stdout) == 1 << 20
    assert page.text("#run-flags") == "stdout truncated"


def test_templates_of_all_backends_print_hello_world(page: Browser, api: Api) -> None:
    templates = page.script("return TEMPLATES;")
    assert set(templates) == BACKENDS
    listed = {entry["name"]: entry for entry in api.get("/backends").json()["backends"]}
    for name in sorted(listed):
        pick(page, name)
        assert page.text("#main-file") == listed[name]["file"]
        assert page.value("#source") == templates[name]
        label = page.text(f"#backend option[value='{name}']")
        assert label == f"{name} — {listed[name]['version']}"
    tasks = {
        name: api.submit({"backend": name, "files": {listed[name]["file"]: {"data": templates[name]}}})["id"]
        for name in sorted(listed)
    }
    for name, task_id in tasks.items():
        result = api.wait(task_id, timeout=300)["response"]
        assert result.get("run", {}).get("stdout") == "Hello, world!\n", (name, result)


def test_page_is_self_contained(page: Browser, api: Api) -> None:
    html = PAGE.read_text()
    assert not re.search(r"\b(?:src|href)\s*=", html, re.IGNORECASE)
    assert not re.search(r"@import|url\(", html)
    loaded = page.script("return performance.getEntriesByType('resource').map((entry) => entry.name);")
    assert loaded and all(url.startswith(f"{api.base}/") for url in loaded), loaded
    # Every form control has a label a screen reader announces.
    unlabelled = page.script(
        "return [...document.querySelectorAll('select, textarea, input')]"
        ".filter((el) => !el.labels || el.labels.length === 0).map((el) => el.id);"
    )
    assert unlabelled == []
