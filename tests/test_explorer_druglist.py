"""The explorer's treatment page shows the drug's MTUS Drug List standing on the page's date, as
the GraphQL API answers it (a browser test: skipped without Debian's chromium)."""

from __future__ import annotations

from typing import Any

from tests.test_explorer_browser import (  # noqa: F401 (pytest fixtures used by name)
    base,
    browser,
    console,
    page,
    pytestmark,
    ready,
    set_date,
)


def test_the_treatment_page_shows_the_drug_list_standing_by_date(page: Any) -> None:  # noqa: F811 (the imported fixture)
    from playwright.sync_api import expect

    page.goto("/#/treatment/tx:lidocaine-patch?asOf=2017-06-01")
    ready(page)
    body = page.locator("section.drug-list .drug-list-body")
    expect(body).to_have_attribute("data-standing", "NO_FORMULARY")
    for day, standing, words in [
        ("2022-06-01", "NON_EXEMPT", "Non-Exempt"),
        ("2022-11-01", "EXEMPT", "list v10 from 2022-11-01"),
        ("2019-05-01", "NOT_KNOWN", "not verified"),
    ]:
        set_date(page, day)
        expect(page.locator("section.drug-list h2")).to_contain_text(day)
        expect(body).to_have_attribute("data-standing", standing)
        expect(body).to_contain_text(words)


def test_a_service_that_is_not_a_drug_has_no_drug_list_panel(page: Any) -> None:  # noqa: F811 (the imported fixture)
    from playwright.sync_api import expect

    page.goto("/#/treatment/tx:physical-therapy?asOf=2022-06-01")
    ready(page)
    expect(page.locator("section.governs")).to_be_visible()
    expect(page.locator("section.drug-list")).to_have_count(0)
