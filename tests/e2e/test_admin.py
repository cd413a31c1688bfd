"""The admin's reports page: every report, a download per format."""

import pytest
from playwright.sync_api import expect

from reports.models import Report
from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_admin_downloads_the_pdf_of_a_report_from_the_reports_page(demo, page):
    sign_in(page, "admin")
    page.get_by_role("navigation").get_by_role("link", name="Reports").click()
    expect(page.locator("h1")).to_have_text("Reports")
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(Report.objects.count())
    shot(page, "reports")

    row = rows.filter(has_text="Track II preliminary meeting").filter(
        has_text="Post-session report"
    )
    with page.expect_download() as download_info:
        row.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
