"""jur serve's page in a real browser: headless Chromium driven by Selenium through Debian's
chromium-driver (the system's browser: no browser is downloaded). A person types 德化街 and
sees 德化街派出所, pastes three lines and sees three rows, and clicks through to the roster.

`.ci/run` installs chromium and chromium-driver with apt, so CI runs this test instead of
skipping it. JUR_SERVE_SCREENSHOT=FILE saves the page as the README shows it
(docs/serve.png).
"""

from __future__ import annotations

import os
import shutil

import pytest

pytest.importorskip("starlette")
webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from serve_helpers import served  # noqa: E402


def browser_paths() -> tuple[str, str] | None:
    browser = next(
        (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
    )
    driver = shutil.which("chromedriver") or (
        "/usr/lib/chromium/chromedriver"
        if os.path.exists("/usr/lib/chromium/chromedriver")
        else None
    )
    return (browser, driver) if browser and driver else None


pytestmark = pytest.mark.skipif(
    browser_paths() is None,
    reason="needs chromium and chromium-driver (.ci/run installs them with apt)",
)


@pytest.fixture(scope="module")
def server():
    with served() as s:
        yield s


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.service import Service

    binary, driver = browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-proxy-server",
        "--window-size=1000,1100",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    b = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    b.set_page_load_timeout(60)
    yield b
    b.quit()


def wait(browser, condition, timeout: float = 30):
    return WebDriverWait(browser, timeout, poll_frequency=0.1).until(lambda _: condition())


def severe_console_messages(browser) -> list[str]:
    """Console errors: a script blocked by the CSP, a file that did not load, a JS error."""
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_type_paste_and_click_through(server, browser):
    browser.get(server.url)
    assert browser.title.startswith("派出所辖区查询")
    box = browser.find_element(By.ID, "q")
    box.send_keys("德化街")
    station = wait(browser, lambda: browser.find_elements(By.CSS_SELECTOR, "#answer .big .station"))
    wait(browser, lambda: station[0].text == "德化街派出所")
    answer = browser.find_element(By.ID, "answer")
    assert "已确定" in answer.text and "二七分局" in answer.text and "德化街街道" in answer.text
    assert "解析过程" in answer.text
    assert browser.current_url.endswith("/?q=%E5%BE%B7%E5%8C%96%E8%A1%97")  # a link to share

    batch = browser.find_element(By.ID, "batch")
    batch.send_keys("德化街\n三官庙\n郑州市二七区淮南街7号")
    browser.find_element(By.CSS_SELECTOR, "#batch-form button[type=submit]").click()
    rows = wait(
        browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")) == 3
    )
    assert rows
    cells = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    ]
    assert cells[0][:4] == ["德化街", "已确定", "德化街派出所", "二七分局"]
    assert cells[1][:2] == ["三官庙", "有歧义"]
    assert cells[2][:4] == ["郑州市二七区淮南街7号", "仅知分局", "", "二七分局"]
    assert browser.find_element(By.ID, "copy").is_displayed()

    shot = os.environ.get("JUR_SERVE_SCREENSHOT")
    if shot:
        browser.save_screenshot(shot)
    assert severe_console_messages(browser) == []

    browser.find_element(By.CSS_SELECTOR, "#answer a.bureau").click()
    wait(browser, lambda: "辖区派出所" in browser.title)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "二七分局" in body and "德化街派出所" in body and "南彩社区居民委员会" in body


def test_a_candidate_is_a_choice_and_a_q_link_arrives_answered(server, browser):
    browser.get(server.url + "?q=%E4%B8%89%E5%AE%98%E5%BA%99")  # 三官庙
    answer = browser.find_element(By.ID, "answer")
    assert "有歧义" in answer.text  # answered by the server, before any typing
    choices = browser.find_elements(By.CSS_SELECTOR, "#answer a.cand")
    assert len(choices) == 2
    choices[0].click()
    wait(browser, lambda: "已确定" in browser.find_element(By.ID, "answer").text)
    assert browser.find_element(By.ID, "q").get_attribute("value") == "三官庙派出所"
    assert "中原分局" in browser.find_element(By.ID, "answer").text


def test_a_typed_or_pasted_script_stays_text(server, browser):
    browser.get(server.url)
    evil = "<img src=x onerror=alert(1)>德化街"
    browser.find_element(By.ID, "q").send_keys(evil)
    wait(browser, lambda: browser.find_element(By.ID, "answer").is_displayed())
    browser.find_element(By.ID, "batch").send_keys(evil + "\n<script>alert(2)</script>")
    browser.find_element(By.CSS_SELECTOR, "#batch-form button[type=submit]").click()
    wait(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")) == 2)
    first = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr td")
    assert first[0].text == evil
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main script") == []
    assert severe_console_messages(browser) == []
