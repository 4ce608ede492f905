"""Browser fixtures: the real app under uvicorn on a free port, and Debian's headless Chromium.

The tests never download a browser: they drive /usr/bin/chromium through Playwright, and fail
(not skip) when it is missing, because a silently skipped browser suite tests nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from .lab import KernelLab

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
# Start-up imports TensorFlow and converts every model to LiteRT: about 10 s on an idle
# 2-core machine, several times that when the machine is busy.
STARTUP_SECONDS = 120


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"uvicorn exited with code {process.returncode} before serving:\n"
                f"{log.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(
        f"The app did not answer {url}/api/health within {STARTUP_SECONDS} s.", pytrace=False
    )


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app, started with uvicorn in a subprocess on a free localhost port."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            # The browser tests are many users from one address: one client's cap of jobs
            # would refuse them (it has a test of its own).
            env={**os.environ, "CONVLENS_MAX_JOBS_PER_CLIENT": "100"},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium was not found at {CHROMIUM}. The browser tests drive the system "
            "Chromium and never download one: install it (Debian: apt-get install chromium).",
            pytrace=False,
        )
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@contextmanager
def _watched_page(context: BrowserContext) -> Iterator[Page]:
    """A new tab that fails the test if the page logs a script error."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    yield page
    page.close()
    # The API errors a test provokes on purpose show up as failed resource loads; real
    # script errors do not look like that.
    script_errors = [e for e in errors if "Failed to load resource" not in e]
    assert not script_errors, f"The page logged errors: {script_errors}"


@pytest.fixture(scope="session")
def laptop_context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """One laptop-sized context for all tests: tabs share its HTTP cache, nothing else."""
    context = browser.new_context(base_url=base_url, viewport=LAPTOP)
    yield context
    context.close()


@pytest.fixture
def page(laptop_context: BrowserContext) -> Iterator[Page]:
    """A fresh laptop-sized (1280 x 800) tab. Cookies are cleared around it: a test that picks
    Korean with ?lang=ko (kept in a cookie) leaves the next test in the browser's language."""
    laptop_context.clear_cookies()
    with _watched_page(laptop_context) as tab:
        yield tab
    laptop_context.clear_cookies()


@pytest.fixture
def korean_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh laptop-sized tab of a browser set to Korean (Accept-Language: ko-KR)."""
    context = browser.new_context(base_url=base_url, viewport=LAPTOP, locale="ko-KR")
    with _watched_page(context) as tab:
        yield tab
    context.close()


@pytest.fixture
def phone_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh phone-sized (390 x 844) tab with touch."""
    context = browser.new_context(
        base_url=base_url, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    with _watched_page(context) as tab:
        yield tab
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def lab(page: Page) -> KernelLab:
    """The Kernel lab, loaded, on a laptop-sized tab."""
    return KernelLab(page).open()


@pytest.fixture
def numbers_lab(page: Page) -> KernelLab:
    """The Kernel lab opened straight on its Numbers tab (#numbers)."""
    lab = KernelLab(page).open("#numbers")
    page.wait_for_selector("#numbers-result[data-status=ready]")
    return lab
