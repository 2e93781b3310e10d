"""End to end: the HTML report opened in headless Chromium shows its summary
chart, and the severity filter and search box work (issue #5)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditor.render import RenderOptions, render_to
from sample_report import sample_catalog, sample_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="Debian's chromium and chromium-driver are not installed "
                                       "(apt-get install chromium chromium-driver); .ci/run installs them when it can")


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def visible_rows(driver) -> int:
    rows = driver.find_elements("css selector", "#findings tbody tr")
    return sum(1 for r in rows if r.is_displayed())


def test_summary_chart_and_filters_work(browser, tmp_path):
    report = sample_report()
    page = tmp_path / "report.html"
    render_to(report, "html", page, RenderOptions(catalog=sample_catalog()))
    browser.get(page.resolve().as_uri())
    chart = browser.find_element("css selector", "svg[role=img]")
    assert chart.is_displayed() and chart.size["width"] > 100
    total = visible_rows(browser)
    assert total == len(report.items)

    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "severity-filter")).select_by_value("error")
    errors = sum(1 for f in report.items if f.severity.value == "error")
    assert visible_rows(browser) == errors < total

    Select(browser.find_element("id", "severity-filter")).select_by_value("")
    box = browser.find_element("id", "text-filter")
    box.send_keys("群众满意度")
    assert visible_rows(browser) == 1
    # document text is escaped: the <script> quoted from a document never ran
    assert browser.execute_script("return window.__xss === undefined") is True
    shot = tmp_path / "report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
