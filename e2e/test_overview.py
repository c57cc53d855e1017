from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.conftest import screenshot, wait_idle


def test_overview_renders_real_figures(
    page: Page, app_url: str, console_errors: list[str]
):
    page.goto(app_url)
    wait_idle(page)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Accounts")
    expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(
        "60", timeout=30_000
    )
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    screenshot(page, "overview")
    assert not console_errors, console_errors


def test_a_shared_link_opens_in_its_language_and_the_picker_switches(
    page: Page, app_url: str, console_errors: list[str]
):
    page.goto(f"{app_url}/?lang=zh-Hant")
    wait_idle(page)
    expect(page.get_by_role("heading", name="大客戶規劃工作台")).to_be_visible(
        timeout=30_000
    )
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav).to_contain_text("總覽")
    expect(nav).to_contain_text("採購中心")
    screenshot(page, "overview-zh-Hant")
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    picker.first.click()
    page.get_by_role("option", name="简体中文").click()
    expect(page.get_by_role("heading", name="大客户规划工作台")).to_be_visible(
        timeout=30_000
    )
    expect(nav).to_contain_text("采购中心")
    assert "lang=zh-Hans" in page.url
    screenshot(page, "overview-zh-Hans")
    assert not console_errors, console_errors
