# ruff: noqa: RUF001 - Simplified Chinese punctuation is full-width, as the catalogue has it
"""The interface in Simplified Chinese: labels and topic names, and the choice kept on
the person."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import SESSION_3, open_session, shot, sign_in, switch_language

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_interface_switched_to_chinese_shows_chinese_labels_and_topics_and_stays_chinese(
    demo, new_page
):
    page = new_page()
    sign_in(page, "us_member")
    expect(page.locator("h1")).to_have_text("My sessions")
    switch_language(page, "中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("我的会议")

    open_session(page)
    expect(page.locator("#agenda")).to_have_text("议程（按紧迫性）")
    expect(page.get_by_role("cell", name="人工智能军事化", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Militarization of AI", exact=True)).to_have_count(0)
    shot(page, "session-zh")
    assert User.objects.get(username="us_member").language == "zh-hans"

    # Signed out and in again, and on another device (no cookie of this one).
    page.locator("header.top form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/")
    sign_in(page, "us_member")
    expect(page.locator("h1")).to_have_text("我的会议")
    elsewhere = new_page()
    sign_in(elsewhere, "us_member")
    expect(elsewhere.locator("h1")).to_have_text("我的会议")
    elsewhere.get_by_role("link", name=SESSION_3, exact=True).click()
    expect(elsewhere.locator("#agenda")).to_have_text("议程（按紧迫性）")
