"""The facilitator runs a session from the pages: opens it, records a divergence and
both delegations' stances on the grid, concludes it, and sees the post-session report
built and ready."""

import pytest
from playwright.sync_api import expect

from consensus.models import Point, Stance
from tests.e2e.conftest import SESSION_3, open_session, shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STATEMENT = "Whether export controls should be part of a next intergovernmental round"
CARRIED = "First intergovernmental dialogue on AI: Whether export controls belong on the agenda"
# A report build, PDF included, takes about a second here; far more is a failure.
REPORT_WAIT_MS = 60_000


def move_forward(page, to: str) -> None:
    """The session page's "Move the session forward", confirmed on the page that says
    what the move changes."""
    page.get_by_role("link", name="Move the session forward").click()
    expect(page.locator("h1")).to_have_text(f"Move to “{to}”?")
    shot(page, f"transition-{to.lower().replace(' ', '-')}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").first).to_contain_text(f"The session is now: {to}.")


def test_the_facilitator_records_a_divergence_with_both_stances_concludes_and_opens_the_report(
    demo, page
):
    sign_in(page, "facilitator")
    open_session(page)
    move_forward(page, "In progress")
    expect(page.locator(".page-head .status")).to_have_text("In progress")

    page.get_by_role("link", name="Points and stances").click()
    expect(page.locator("h1")).to_have_text("Points and stances")
    page.locator("#id_agenda_item").select_option(index=1)
    page.locator("#id_kind").select_option(Point.Kind.DIVERGENCE)
    page.locator("#id_statement").fill(STATEMENT)
    page.locator("#id_status").select_option(Point.Status.CONFIRMED)
    page.locator("#id_carried_from").select_option(label=CARRIED)
    page.locator("#id_carry_status").select_option(Point.CarryStatus.REOPENED)
    page.get_by_role("button", name="Record the point").click()
    expect(page.get_by_role("status")).to_contain_text("Point recorded.")

    # One grid: the point's row, a column per delegation.
    page.get_by_label(f"CN: {STATEMENT}").select_option(Stance.Value.DISAGREE)
    page.get_by_label(f"US: {STATEMENT}").select_option(Stance.Value.AGREE)
    page.get_by_role("button", name="Save stances").click()
    expect(page.get_by_role("status")).to_contain_text("2 stances saved.")
    expect(page.get_by_label(f"CN: {STATEMENT}")).to_have_value(Stance.Value.DISAGREE)
    expect(page.get_by_label(f"US: {STATEMENT}")).to_have_value(Stance.Value.AGREE)
    shot(page, "points-grid")
    point = Point.objects.get(session=demo)
    stances = {s.delegation.party.code: s.stance for s in point.stances.all()}
    assert (point.kind, stances) == ("divergence", {"CN": "disagree", "US": "agree"})

    page.get_by_role("link", name=f"← {SESSION_3}").click()
    points = page.locator("section[aria-labelledby=points]")
    expect(points).to_contain_text(STATEMENT)
    expect(points).to_contain_text("CN: Disagree")
    expect(points).to_contain_text("US: Agree")

    move_forward(page, "Concluded")
    # While the report builds, the page refreshes itself until it is ready.
    report = page.locator("ul.docs li", has_text="Post-session report")
    expect(report.locator("[data-report-status]")).to_have_text("Ready", timeout=REPORT_WAIT_MS)
    expect(page.locator("section[aria-labelledby=map] svg").first).to_be_visible()
    shot(page, "session")

    report.get_by_role("link", name="Open").click()
    expect(page.locator("main > h1")).to_have_text("Post-session report v1")
    expect(page.locator("article.document")).to_contain_text(STATEMENT)
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    shot(page, "report")
