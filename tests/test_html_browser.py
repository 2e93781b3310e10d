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


SHOTS = Path(__file__).resolve().parent.parent / "out" / "screenshots"


def visible_rows(driver) -> int:
    rows = driver.find_elements("css selector", "#findings .finding")
    return sum(1 for r in rows if r.is_displayed())


def test_summary_chart_and_filters_work(browser, tmp_path):
    from selenium.webdriver.support.ui import Select

    report = sample_report()
    page = tmp_path / "report.html"
    render_to(report, "html", page, RenderOptions(catalog=sample_catalog()))
    browser.get(page.resolve().as_uri())
    chart = browser.find_element("css selector", "svg[role=img]")
    assert chart.is_displayed() and chart.size["width"] > 100
    total = visible_rows(browser)
    assert total == len(report.items)

    Select(browser.find_element("id", "severity-filter")).select_by_value("error")
    errors = sum(1 for f in report.items if f.severity.value == "error")
    assert visible_rows(browser) == errors < total

    Select(browser.find_element("id", "severity-filter")).select_by_value("")
    Select(browser.find_element("id", "family-filter")).select_by_value("NAR")
    assert visible_rows(browser) == sum(1 for f in report.items if f.family == "NAR")
    Select(browser.find_element("id", "family-filter")).select_by_value("")
    Select(browser.find_element("id", "file-filter")).select_by_value(report.documents[1].file)
    assert visible_rows(browser) == sum(1 for f in report.items if f.location.file == report.documents[1].file)
    sections = [s for s in browser.find_elements("css selector", "section.doc") if s.is_displayed()]
    assert len(sections) == 1
    Select(browser.find_element("id", "file-filter")).select_by_value("")

    box = browser.find_element("id", "text-filter")
    box.send_keys("群众满意度")
    assert visible_rows(browser) == 1
    # document text is escaped: the <script> quoted from a document never ran
    assert browser.execute_script("return window.__xss === undefined") is True
    box.clear()
    box.send_keys(" ")
    box.clear()
    browser.execute_script("document.getElementById('text-filter').dispatchEvent(new Event('input'))")
    assert visible_rows(browser) == total
    shot = tmp_path / "report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_a_finding_opens_to_its_rule_explanation_and_a_root_cause_holds_its_consequences(browser, tmp_path):
    report = sample_report()
    page = tmp_path / "report.html"
    render_to(report, "html", page, RenderOptions(catalog=sample_catalog()))
    browser.get(page.resolve().as_uri())
    root = next(f for f in browser.find_elements("css selector", "#findings .finding.error")
                if f.find_element("css selector", ".code").text == "EXR001")
    nested = root.find_elements("css selector", ".consequences .finding")
    assert [n.find_element("css selector", ".code").text for n in nested] == ["SCR001"]
    details = root.find_element("css selector", "details")
    assert not details.find_element("css selector", "p").is_displayed()
    details.find_element("css selector", "summary").click()
    assert "执行率应等于" in details.text
    colors = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg rect[width=\"12\"]')).map(r => r.getAttribute('fill'))")
    assert len(colors) == len(set(colors)) == len({f.family for f in report.items})
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1280, 2400)
    browser.save_screenshot(str(SHOTS / "html-sample-report.png"))
