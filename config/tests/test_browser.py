"""The admin in a real browser: Debian's chromium driven by selenium against `live_server`.

Logs in, opens the dashboard and sees its charts, a changelist of every app, a change page with
inlines, a search; no console error and no page wider than a 1400 px window. Nothing is
downloaded: selenium uses /usr/bin/chromedriver with SE_OFFLINE=true (`.ci/run` installs the
`chromium` and `chromium-driver` packages when missing). Skipped only where they are absent.
"""

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH, HEIGHT = 1400, 1000
PASSWORD = "browser-test-password"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="no browser: install Debian's chromium and chromium-driver (.ci/run does)",
)


@pytest.fixture
def browser(tmp_path, monkeypatch):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not download anything
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_window_size(WIDTH, HEIGHT)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
    shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def page_fits(driver) -> tuple[int, int]:
    return driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )


def overflowing_inlines(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.inline-group'))"
        ".filter(g => g.scrollWidth > g.clientWidth + 1).map(g => g.id);"
    )


def open_page(driver, live_server, path: str):
    driver.get(f"{live_server.url}{path}")
    width, window = page_fits(driver)
    assert width <= window, f"{path} is {width} px wide in a {window} px window"
    assert console_errors(driver) == [], path


@pytest.mark.django_db(transaction=True)
def test_admin_in_a_real_browser(live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    from accounts.models import User
    from matching.tests.factories import PreferencesFactory, ProfileFactory, PromptFactory
    from memory.tests.factories import MemoryFactory
    from venues.tests.factories import InterestFactory

    User.objects.create_superuser("root@example.com", PASSWORD)
    InterestFactory()
    profile = ProfileFactory(name="Rex")
    PreferencesFactory(profile=profile)
    PromptFactory.create_batch(3, profile=profile, answer="A rather long answer " * 10)
    memory = MemoryFactory(user__user_id="browser-user", content="Likes long walks")
    MemoryFactory(user__user_id="someone-else", content="Prefers naps")

    # Log in.
    browser.get(f"{live_server.url}/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys("root@example.com")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The login page has a #site-name too: read the dashboard only once it has replaced it.
    WebDriverWait(browser, 10).until(lambda b: b.current_url == f"{live_server.url}/admin/")

    # The dashboard: five panels, eleven charts of thirty bars each, styled by the admin's CSS.
    assert browser.find_element(By.ID, "site-name").text == "Backend administration"
    panels = browser.find_elements(By.CSS_SELECTOR, "#dashboard .dashboard-panel h2")
    assert [panel.text for panel in panels] == [
        f"{name} · last 30 days" for name in ("Luna", "PupMatch", "YAGO", "EdgeSoul", "Learning")
    ]
    charts = browser.find_elements(By.CSS_SELECTOR, "#dashboard svg.dashboard-chart")
    assert len(charts) == 11
    assert all(chart.size["width"] > 100 and chart.size["height"] > 20 for chart in charts)
    assert len(charts[0].find_elements(By.TAG_NAME, "rect")) == 30
    header = browser.execute_script(
        "return getComputedStyle(document.getElementById('header')).backgroundColor;"
    )
    assert header not in ("", "rgba(0, 0, 0, 0)")  # base.css loaded
    assert browser.find_element(By.CSS_SELECTOR, "#chart-luna-interests .chart-total").text == "1"
    width, window = page_fits(browser)
    assert width <= window
    assert console_errors(browser) == []

    # A changelist of every app.
    for path in (
        "/admin/accounts/user/",
        "/admin/venues/interest/",
        "/admin/venues/actionitem/",
        "/admin/matching/profile/",
        "/admin/matching/message/",
        "/admin/projects/project/",
        "/admin/projects/providerusage/",
        "/admin/memory/companionprofile/",
        "/admin/memory/memory/",
        "/admin/memory/learnerprofile/",
        "/admin/auditlog/logentry/",
    ):
        open_page(browser, live_server, path)
        assert browser.find_elements(By.ID, "changelist"), path

    # A change page with inlines: titled with the dog's name, nothing cut off.
    open_page(browser, live_server, f"/admin/matching/profile/{profile.pk}/change/")
    title = browser.find_element(By.CSS_SELECTOR, "#preferences-0 h3").text
    assert title.startswith("PREFERENCES: REX") or title.startswith("Preferences: Rex")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#prompts-group tr.has_original")) == 3
    assert overflowing_inlines(browser) == []
    delete_box = browser.find_element(By.CSS_SELECTOR, "#prompts-group td.delete")
    assert delete_box.is_displayed()

    # Search by an exact user id.
    open_page(browser, live_server, "/admin/memory/memory/")
    search = browser.find_element(By.ID, "searchbar")
    search.send_keys("browser-user")
    search.submit()
    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert [row.find_element(By.CSS_SELECTOR, ".field-short_content").text for row in rows] == [
        memory.content
    ]
    assert console_errors(browser) == []
