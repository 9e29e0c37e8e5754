"""End-to-end: ``tallrx serve`` driven by a real headless Chromium (Debian's ``chromium`` through
Playwright's ``executable_path``; tools/services.sh installs it in CI).

- the bundled real pediatric ALL plate (kispi_drp_plate: layout.csv + measurement.csv) is uploaded,
  the run ends, the dose-response figure is visible, the AUC table has the plate's 19 drugs (its
  README: "19 drugs x 6 doses"), and the downloaded ``curves.csv`` equals the bytes that
  ``tallrx screen`` writes on the same two files;
- a checkerboard (tallrx's seeded simulator) -> the synergy page shows its call and surfaces;
- the what-if page draws a different plot when only the genotype changes.
Screenshots go to tests/web/artifacts/ (ignored by git).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from webtools import ARTIFACTS, KISPI

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

#: the dose-response grid's figure id on the results page (figures/<stem>.png)
CURVES_FIGURE = "#fig-dose_response_first_samples"


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "Debian's chromium is not installed (tools/services.sh installs it via apt-get)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cli_screen(tmp_path_factory):
    """``tallrx screen`` on the same two files, started now so it runs beside the browser's run."""
    out = tmp_path_factory.mktemp("cli") / "screen"
    proc = subprocess.Popen([sys.executable, "-m", "tallrx", "screen", str(KISPI / "layout.csv"),
                             str(KISPI / "measurement.csv"), "-o", str(out), "--quiet"])
    yield proc, out
    if proc.poll() is None:
        proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real ``tallrx serve`` process on a free loopback port; yields its base URL."""
    port = _free_port()
    work = tmp_path_factory.mktemp("serve")
    proc = subprocess.Popen([sys.executable, "-m", "tallrx", "serve", "--port", str(port),
                             "--workdir", str(work / "runs"), "--jobs", "2", "--quiet"])
    base = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/runs", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > end:
                proc.kill()
                pytest.fail(f"tallrx serve did not start (exit code {proc.poll()})")
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(cli_screen):
    path = _chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


def _wait_done(page, timeout_s: float = 240) -> None:
    """Wait until the results page shows a finished run (it reloads itself when the run ends)."""
    page.wait_for_function(
        "() => ['done', 'failed'].includes(document.getElementById('status')?.textContent)",
        timeout=timeout_s * 1000)
    page.wait_for_load_state()
    assert page.inner_text("#status") == "done", page.inner_text("#message")


def _image_loaded(page, selector: str, timeout_s: float = 30) -> bool:
    """True once the image at ``selector`` has loaded with a width (waits for it: a visible
    <img> may still be loading); False if it has not within ``timeout_s``."""
    try:
        page.wait_for_function(
            "s => { const img = document.querySelector(s);"
            " return !!img && img.complete && img.naturalWidth > 0; }",
            arg=selector, timeout=timeout_s * 1000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: not loaded in time
        return False
    return True


def test_real_plate_upload_to_curves_download(page, server, cli_screen, tmp_path):
    page.goto(server + "/")
    page.select_option("#command", "screen")
    page.set_input_files("#layout", str(KISPI / "layout.csv"))
    page.set_input_files("#files", [str(KISPI / "measurement.csv")])
    page.click("#submit")
    page.wait_for_url("**/runs/*")
    _wait_done(page)
    page.wait_for_selector(CURVES_FIGURE, state="visible")
    assert _image_loaded(page, CURVES_FIGURE)
    assert page.locator("#auc-table tbody tr").count() == 19
    page.screenshot(path=str(ARTIFACTS / "web-screen-results.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#dl-curves-csv")
    got = tmp_path / "curves.csv"
    info.value.save_as(got)
    proc, out = cli_screen
    assert proc.wait(timeout=240) == 0
    assert got.read_bytes() == (out / "curves.csv").read_bytes()


def test_synergy_page_on_a_checkerboard(page, server, synergy_csv):
    page.goto(server + "/")
    page.select_option("#command", "synergy")
    page.set_input_files("#files", [str(synergy_csv)])
    page.fill("#opts-synergy input[name=n_null]", "0")
    page.fill("#opts-synergy input[name=n_boot]", "0")
    page.click("#submit")
    page.wait_for_url("**/runs/*")
    _wait_done(page)
    rows = page.locator("#synergy-table tbody tr")
    assert rows.count() == 1  # one sample, one pair
    header = page.locator("#synergy-table thead th").all_inner_texts()
    cells = rows.first.locator("td")
    # the simulator's 'sensitize' pair kills more than Bliss independence predicts: excess > 0
    assert float(cells.nth(header.index("bliss")).inner_text()) > 0
    # n_null=0 runs no null simulation, so the call is the CLI's 'not calibrated'
    assert cells.nth(header.index("call")).inner_text() == "not calibrated"
    page.wait_for_selector("#fig-block1_heatmaps", state="visible")
    assert _image_loaded(page, "#fig-block1_heatmaps")
    page.screenshot(path=str(ARTIFACTS / "web-synergy.png"), full_page=True)


def test_what_if_plot_changes_with_the_genotype(page, server):
    page.goto(server + "/model")
    page.select_option("#genotype", "NRAS_G12D")
    page.check("#dox")
    page.select_option("#drug1", "prednisolone")
    page.fill("#dose1", "1")
    page.click("#simulate")
    page.wait_for_selector("#timecourse", state="visible", timeout=120_000)
    first = page.get_attribute("#timecourse", "src")
    first_v = page.inner_text("#v96")
    assert first.startswith("data:image/png;base64,") and _image_loaded(page, "#timecourse")
    page.screenshot(path=str(ARTIFACTS / "web-model.png"), full_page=True)
    page.select_option("#genotype", "parental")
    with page.expect_navigation(timeout=120_000):
        page.click("#simulate")
    page.wait_for_selector("#timecourse", state="visible")
    assert page.get_attribute("#timecourse", "src") != first
    assert page.inner_text("#v96") != first_v
    assert page.locator("#genotype").input_value() == "parental"
