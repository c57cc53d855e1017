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
