"""The trial finder in a real browser: search, open a trial, answer the checklist.

With ``ELIGO_SCREENSHOTS=<folder>`` the test also saves screenshots of the pages it visits at
desktop and phone widths (docs/screenshots/ holds the committed ones).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

SEED = "NCT07016230"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def _shot(page: Any, name: str, *, at: str | None = None, full: bool = False) -> None:
    folder = os.environ.get("ELIGO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        if at:
            page.locator(at).scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -80)")
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_search_open_trial_answer_platelets(server: str, browser: Any, width: str) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(server + "/")
    page.fill("#q", "small cell")
    page.click("button[type=submit]")
    page.wait_for_selector(f'a[href="/trials/{SEED}"]')
    assert "NCT00492206" not in page.content()  # a non-small-cell trial
    _shot(page, f"search-results-{width}", full=width == "desktop")

    page.click(f'a[href="/trials/{SEED}"]')
    page.wait_for_selector("#verdict")
    assert page.get_attribute("#verdict", "data-verdict") == "possibly_eligible"
    _shot(page, f"trial-{width}")
    platelets = page.locator('[data-criterion="inc-11.1"]')
    assert platelets.get_attribute("data-verdict") == "unknown"

    page.fill("#a-age", "58")
    page.select_option("#a-sex", "female")
    page.select_option("#a-diagnosis", "sclc")
    page.select_option('select[name="unit:platelets"]', "10^9/L")
    page.fill("#a-lab-platelets", "85")
    page.wait_for_selector('[data-criterion="inc-11.1"][data-verdict="not_met"]', timeout=10_000)
    page.wait_for_selector('#verdict[data-verdict="ineligible"]')
    assert "Not met" in page.locator('[data-criterion="inc-11.1"] .status').inner_text()
    assert page.url.endswith(f"/trials/{SEED}")  # no page load: the script updated it
    _shot(page, f"trial-checklist-{width}", at="#verdict")

    # The answers stay in this tab: a reload brings them back and the verdict with them.
    page.reload()
    page.wait_for_selector('#verdict[data-verdict="ineligible"]', timeout=10_000)
    assert page.input_value("#a-lab-platelets") == "85"
    assert not errors, errors
    context.close()


def test_without_javascript_the_form_still_works(server: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/trials/{SEED}")
    page.fill("#a-lab-platelets", "85")
    page.click("#answers button[type=submit]")
    page.wait_for_selector('#verdict[data-verdict="ineligible"]')
    assert page.locator('[data-criterion="inc-11.1"]').get_attribute("data-verdict") == "not_met"
    context.close()
