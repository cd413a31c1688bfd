"""Delegations at work in the browser: a member logs and revises a position, sees the
versions and the difference; the other delegation cannot read a delegation-only
position; a stale revision shows both texts and loses neither; a head sets
expectations."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from debates import services
from debates.models import Expectation, Position, Visibility
from tests.e2e.conftest import SESSION_3, open_session, shot, sign_in, switch_language

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIRST = "Review the divergence on export controls and prepare two options for the next round."
SECOND = (
    "Review the divergence on export controls and prepare three options, with a timetable, "
    "for the next round."
)


def china(session):
    return session.delegations.get(party__code="CN")


def test_a_member_revises_a_delegation_only_position_and_sees_version_2_and_the_diff(
    demo, new_page
):
    page = new_page()
    sign_in(page, "cn_member")
    # Wang Fang reads the interface in Chinese; this test reads it in English.
    switch_language(page, "English")
    expect(page.get_by_role("heading", name="My sessions")).to_be_visible()
    expect(page.get_by_role("link", name="1 position to log")).to_be_visible()
    shot(page, "home")

    open_session(page)
    page.get_by_role("link", name="Log or revise our position").click()
    page.locator("#id_text").fill(FIRST)
    page.locator("#id_summary").fill("Two options")
    page.locator("#id_visibility").select_option(Visibility.DELEGATION)
    page.get_by_role("button", name="Log our position").click()
    expect(page.get_by_role("status")).to_contain_text("Your delegation's position is saved.")
    expect(page.get_by_role("link", name="CN v1")).to_be_visible()

    page.get_by_role("link", name="Log or revise our position").click()
    expect(page.get_by_text("Current version: 1")).to_be_visible()
    expect(page.locator("#id_text")).to_have_value(FIRST)
    page.locator("#id_text").fill(SECOND)
    page.locator("#id_summary").fill("Three options and a timetable")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("status")).to_contain_text("Your delegation's position is saved.")
    shot(page, "session-member")

    page.get_by_role("link", name="CN v2").click()
    versions = page.locator("ol.versions li")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("v1")
    expect(versions.nth(1)).to_contain_text("v2")
    expect(versions.nth(1)).to_contain_text("Own delegation only: Three options and a timetable")
    # Side by side: what v1 had and v2 dropped, what v2 added.
    expect(page.locator('[data-version="1"] del')).to_have_text(["two options"])
    expect(page.locator('[data-version="2"] ins')).to_have_text(
        ["three options, with a timetable,"]
    )
    expect(page.locator('[data-version="2"]')).to_contain_text("for the next round.")
    shot(page, "position-history")
    history = page.url

    # The United States' member sees the session, not China's delegation-only position.
    other = new_page()
    sign_in(other, "us_member")
    open_session(other)
    expect(other.get_by_role("cell", name="Militarization of AI", exact=True)).to_be_visible()
    expect(other.get_by_role("link", name=re.compile(r"^CN v"))).to_have_count(0)
    response = other.goto(history)
    assert response is not None
    assert response.status == 404


def test_a_stale_revision_shows_both_texts_and_keeps_the_late_authors_text(demo, new_page):
    services.position_log(
        actor=User.objects.get(username="cn_member"),
        delegation=china(demo),
        agenda_item=demo.agenda_items.get(),
        text=FIRST,
        visibility=Visibility.DELEGATION,
    )
    pages = {}
    for username in ("cn_member", "cn_head"):
        page = pages[username] = new_page()
        sign_in(page, username)
        switch_language(page, "English")
        open_session(page)
        page.get_by_role("link", name="Log or revise our position").click()
        expect(page.get_by_text("Current version: 1")).to_be_visible()

    member, head = pages["cn_member"], pages["cn_head"]
    head_text = "Keep export controls on the agenda of the next round, with one option only."
    member.locator("#id_text").fill(SECOND)
    member.get_by_role("button", name="Save as a new version").click()
    expect(member.get_by_role("status")).to_contain_text("Your delegation's position is saved.")

    # The head saves over version 1, which is no longer the current version.
    head.locator("#id_text").fill(head_text)
    head.get_by_role("button", name="Save as a new version").click()
    conflict = head.locator("section.conflict")
    expect(conflict.locator("h2")).to_have_text("Someone revised this position first")
    expect(head.get_by_text("Current version: 2")).to_be_visible()
    expect(conflict.locator("blockquote").nth(0)).to_have_text(SECOND)
    expect(conflict.locator("blockquote").nth(1)).to_have_text(head_text)
    # Nothing is lost: the head's text waits in the form, now revising version 2.
    expect(head.locator("#id_text")).to_have_value(head_text)
    shot(head, "position-conflict")
    position = Position.objects.get(delegation__session=demo)
    assert position.current_version == 2

    head.get_by_role("button", name="Save as a new version").click()
    expect(head.get_by_role("status")).to_contain_text("Your delegation's position is saved.")
    texts = list(position.versions.order_by("number").values_list("text", flat=True))
    assert texts == [FIRST, SECOND, head_text]


def test_a_head_sets_the_delegations_expectations(demo, new_page):
    page = new_page()
    sign_in(page, "us_head")
    open_session(page)
    page.get_by_role("link", name="Set expectations").click()
    expect(page.locator("h1")).to_have_text("What United States expects of each item")
    page.get_by_label("Expected outcome").select_option(label="Exchange of views")
    page.get_by_label("Importance").select_option("4")
    shot(page, "expectations")
    page.get_by_role("button", name="Save expectations").click()
    expect(page.get_by_role("status")).to_contain_text("Expectations saved.")
    expect(page.locator("h1")).to_have_text(SESSION_3)

    page.get_by_role("link", name="Set expectations").click()
    expect(page.get_by_label("Expected outcome")).to_have_value("exchange_views")
    expect(page.get_by_label("Importance")).to_have_value("4")
    expectation = Expectation.objects.get(delegation__session=demo)
    assert (expectation.delegation.party.code, expectation.outcome, expectation.importance) == (
        "US",
        "exchange_views",
        4,
    )
