"""The app in a real headless Chromium: `streamlit run` on 127.0.0.1, every page, screenshots, no error.

Screenshots go to ``$CI_ARTIFACTS/screenshots`` (``tests/artifacts/screenshots`` by default, ignored by
git). Chromium is Debian's (``/usr/bin/chromium``, installed by ``.ci/run``): Playwright cannot download
its own browser here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from parcours.paths import DataDir
from parcours.serving import publish_snapshot
from tests.apps.conftest import APP
from tests.apps.world import publish_world
from tests.conftest import free_port

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# URL path -> page title (the default page, Overview, lives at the root).
PAGES = {
    "": "Overview",
    "journey": "Customer journey",
    "channels": "Channels and attribution",
    "customers": "Customers and segments",
    "customer_360?customer=c1": "Customer 360",
    "social_listening": "Social listening",
    "voice_of_customer": "Voice of the customer",
    "data_health": "Data health",
}
ERROR_ELEMENTS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
STARTUP_SECONDS = 90


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (.ci/run installs it)")
    return found


def _artifacts() -> Path:
    root = Path(os.environ.get("CI_ARTIFACTS") or Path(__file__).resolve().parents[1] / "artifacts")
    folder = root / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def served_app(data_dir: DataDir) -> Iterator[str]:
    """`streamlit run` of the app on a free port of 127.0.0.1, reading ``data_dir``'s snapshot."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        APP,
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    log = data_dir.logs / "streamlit.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=dict(os.environ))
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(base_url):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "streamlit did not start"
            time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(page: Page, url: str) -> None:
    """Load ``url`` and wait until Streamlit has finished running the page."""
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000, polling=250
    )
    page.wait_for_timeout(1_000)  # let plotly draw


def _screenshot(page: Page, name: str) -> Path:
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stMainBlockContainer"]\')].map(element => element.scrollHeight), 900)'
    )
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 80, 12_000)})
    page.wait_for_timeout(500)
    path = _artifacts() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_every_page_renders_in_chromium_without_an_error_element(
    data_dir: DataDir, served_app: str, browser: Browser
) -> None:
    publish_world(data_dir)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    for path, title in PAGES.items():
        _open(page, f"{served_app}/{path}")
        name = path.split("?")[0] or "overview"
        screenshot = _screenshot(page, name)
        errors = page.locator(ERROR_ELEMENTS)
        assert errors.count() == 0, f"{name}: {errors.first.inner_text()} (see {screenshot})"
        assert page.locator("h1").first.inner_text().strip() == title


def test_without_a_snapshot_the_browser_shows_the_command_to_run(served_app: str, browser: Browser) -> None:
    page = browser.new_page()
    _open(page, served_app)
    _screenshot(page, "no_snapshot")
    assert page.locator(ERROR_ELEMENTS).count() == 0
    assert "parcours run" in page.locator('[data-testid="stAlertContentInfo"]').first.inner_text()


def test_a_shared_url_reopens_the_same_filtered_view(
    data_dir: DataDir, served_app: str, browser: Browser
) -> None:
    publish_world(data_dir)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    _open(page, f"{served_app}/customers?region=south")
    assert "region=south" in page.url
    # the URL's filter applies on a rerun of the page: wait for it rather than read the first render
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("2", timeout=30_000)
    page.get_by_role("link", name="Journey").click()
    page.wait_for_url("**/journey**")
    assert "region=south" in page.url


def test_the_app_keeps_answering_while_a_new_snapshot_is_published(
    data_dir: DataDir, served_app: str, browser: Browser
) -> None:
    publish_world(data_dir, run_id="run-first")
    page = browser.new_page()
    _open(page, f"{served_app}/data_health")
    publishes = 6
    errors: list[BaseException] = []

    def publish_again() -> None:
        try:
            for number in range(publishes):
                publish_snapshot(data_dir.warehouse, data_dir.serving, run_id=f"run-new{number}")
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    publisher = threading.Thread(target=publish_again)
    publisher.start()
    renders = 0
    while publisher.is_alive() or renders == 0:
        assert _healthy(served_app)
        _open(page, f"{served_app}/customers")
        assert page.locator(ERROR_ELEMENTS).count() == 0
        renders += 1
    publisher.join()
    assert not errors
    _open(page, f"{served_app}/data_health")
    assert page.locator(ERROR_ELEMENTS).count() == 0
    assert f"run run-new{publishes - 1}"[:12] in page.locator("body").inner_text()
