"""The report endpoints of api.md, as a client uses them: ask for a build (202,
`pending`), follow it to `ready` (or `failed`, with the reason), read it, and export it in
JSON, CSV, Markdown and PDF; the builds that publishing an agenda and concluding a
session start; a rebuild as a new version; and the two other ways out of the system, the
admin's Download buttons and `manage.py export_report`.

No worker consumes the suite's broker (and a `db` test never commits, so nothing is even
sent): each test builds its report as the worker would, with
`reports.services.report_build`. Exports are written to a temporary media root."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from audit.models import AuditEvent
from consensus.models import Point, Stance
from debates.models import Session, Visibility
from reports import services
from reports.models import Report
from reports.render import CSV_COLUMNS
from tests import factories
from tests.conftest import World, build_world

API = "/api/v1"
FORMATS = ["csv", "json", "md", "pdf"]
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def session_world(db) -> World:
    """A session in progress with something to report: an agreement on its first item
    with both delegations' stances, and a position of A shared with the session."""
    world = build_world(status=Session.Status.IN_PROGRESS)
    point = factories.PointFactory(
        session=world.session,
        agenda_item=world.item,
        kind=Point.Kind.AGREEMENT,
        statement="Both delegations support a shared incident register.",
        recorded_by=world.facilitator,
    )
    factories.StanceFactory(
        point=point, delegation=world.delegation_a, recorded_by=world.facilitator
    )
    factories.StanceFactory(
        point=point,
        delegation=world.delegation_b,
        stance=Stance.Value.RESERVE,
        note="Pending review in the capital.",
        recorded_by=world.facilitator,
    )
    position = factories.PositionFactory(delegation=world.delegation_a, agenda_item=world.item)
    factories.PositionVersionFactory(
        position=position,
        text="A register run by a neutral secretariat.",
        visibility=Visibility.SESSION,
        author=world.head_a,
    )
    return world


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content[:500]
    return response.json()


def request_build(client, session_id: int, kind: str = "post_session_report") -> dict:
    return ok(client.post(f"{API}/sessions/{session_id}/reports/", {"kind": kind}), 202)


def download(response) -> bytes:
    """The streamed file of an export (read to the end, which also closes it)."""
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def requested_and_built(client, world: World) -> dict:
    """A post-session report asked for through the API and built: its detail."""
    report = request_build(client, world.session.pk)
    assert services.report_build(report_id=report["id"]) == Report.Status.READY
    return ok(client.get(f"{API}/reports/{report['id']}/"))


def test_a_build_is_accepted_and_pending_until_a_worker_builds_it(session_world, client_for):
    world = session_world
    client = client_for(world.facilitator)

    report = request_build(client, world.session.pk)

    assert report["status"] == "pending"
    assert isinstance(report["id"], int)
    assert (report["kind"], report["version"], report["session"]) == (
        "post_session_report",
        1,
        world.session.pk,
    )
    assert report["formats"] == []
    # Session people follow it: in the session's list and on its own.
    reader = client_for(world.observer)
    listed = ok(reader.get(f"{API}/sessions/{world.session.pk}/reports/"))
    assert [(r["id"], r["status"]) for r in listed["results"]] == [(report["id"], "pending")]
    detail = ok(reader.get(f"{API}/reports/{report['id']}/"))
    assert (detail["status"], detail["content"], detail["error"]) == ("pending", None, "")
    # Asking is audited; nothing is built yet.
    stored = Report.objects.get(pk=report["id"])
    assert (stored.requested_by, stored.content, stored.exports) == (world.facilitator, None, {})
    audited = AuditEvent.objects.get(action="report.request")
    assert (audited.actor, audited.after) == (
        world.facilitator,
        {"kind": "post_session_report", "version": 1},
    )


def test_a_built_report_is_ready_with_every_format_and_its_content(session_world, client_for):
    world = session_world
    client = client_for(world.facilitator)

    report = requested_and_built(client, world)

    assert report["status"] == "ready"
    assert report["formats"] == FORMATS
    assert report["error"] == ""
    assert report["started_at"] and report["finished_at"]
    content = report["content"]
    assert content["schema_version"] == 1
    assert content["kind"] == "post_session_report"
    assert [p["statement"] for p in content["points"]] == [
        "Both delegations support a shared incident register."
    ]
    # The list shows it ready too, without the content.
    listed = ok(client_for(world.member_b).get(f"{API}/sessions/{world.session.pk}/reports/"))
    [row] = listed["results"]
    assert (row["status"], row["formats"]) == ("ready", FORMATS)
    assert "content" not in row


def test_every_format_exports_as_a_named_file(session_world, client_for):
    world = session_world
    client = client_for(world.facilitator)
    report = requested_and_built(client, world)
    url = f"{API}/reports/{report['id']}/export/"
    files = {}

    for fmt in FORMATS:
        response = client.get(url, {"format": fmt})
        files[fmt] = download(response)
        assert response["Content-Type"] == CONTENT_TYPES[fmt]
        name = f"post_session_report-session{world.session.pk}-v1.{fmt}"
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'

    assert json.loads(files["json"]) == report["content"]
    assert json.loads(files["json"]) == Report.objects.get(pk=report["id"]).content
    rows = list(csv.reader(io.StringIO(files["csv"].decode())))
    assert rows[0] == CSV_COLUMNS
    records = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert sorted((r["record"], r["stance"]) for r in records) == [
        ("position_version", ""),
        ("stance", "agree"),
        ("stance", "reserve"),
    ]
    assert {r["statement"] for r in records if r["record"] == "stance"} == {
        "Both delegations support a shared incident register."
    }
    assert files["md"].decode().startswith("# ")
    assert "Both delegations support a shared incident register." in files["md"].decode()
    assert files["pdf"].startswith(b"%PDF")
    # Without `format`, the export is the JSON.
    plain = client.get(url)
    assert json.loads(download(plain)) == report["content"]
    assert plain["Content-Type"] == "application/json"


def test_an_unknown_format_is_invalid_input(db, client_for):
    world = build_world(status=Session.Status.CONCLUDED)
    report = factories.ReportFactory(session=world.session)

    response = client_for(world.facilitator).get(
        f"{API}/reports/{report.pk}/export/", {"format": "docx"}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["format"]
    assert "json, csv, md, pdf" in response.json()["format"][0]


def test_a_failed_build_shows_failed_with_its_reason_and_can_be_rebuilt(
    session_world, client_for, monkeypatch
):
    world = session_world
    client = client_for(world.facilitator)
    report = request_build(client, world.session.pk)

    def broken(report):
        raise RuntimeError("the figures could not be computed")

    with monkeypatch.context() as patched:
        patched.setattr(services, "build_content", broken)
        assert services.report_build(report_id=report["id"]) == Report.Status.FAILED

    failed = ok(client.get(f"{API}/reports/{report['id']}/"))
    assert failed["status"] == "failed"
    assert failed["error"] == "RuntimeError: the figures could not be computed"
    assert (failed["formats"], failed["content"]) == ([], None)
    assert failed["finished_at"]
    refusal = client.get(f"{API}/reports/{report['id']}/export/", {"format": "pdf"})
    assert refusal.status_code == 409
    assert "failed" in refusal.json()["detail"]
    # Asked again, it builds as version 2; the failed version 1 stays on record.
    rebuilt = request_build(client, world.session.pk)
    assert rebuilt["version"] == 2
    assert services.report_build(report_id=rebuilt["id"]) == Report.Status.READY
    listed = ok(client.get(f"{API}/sessions/{world.session.pk}/reports/"))["results"]
    assert [(r["version"], r["status"]) for r in listed] == [(2, "ready"), (1, "failed")]


def test_a_rebuild_is_a_new_version_and_keeps_the_old(session_world, client_for):
    world = session_world
    client = client_for(world.admin)
    first = requested_and_built(client, world)

    second = request_build(client, world.session.pk)

    assert (second["version"], second["status"]) == (2, "pending")
    assert second["id"] != first["id"]
    listed = ok(client.get(f"{API}/sessions/{world.session.pk}/reports/"))
    assert [(r["id"], r["version"], r["status"]) for r in listed["results"]] == [
        (second["id"], 2, "pending"),
        (first["id"], 1, "ready"),
    ]
    kept = ok(client.get(f"{API}/reports/{first['id']}/"))
    assert (kept["status"], kept["content"]) == ("ready", first["content"])
    exported = client.get(f"{API}/reports/{first['id']}/export/", {"format": "json"})
    assert json.loads(download(exported)) == first["content"]
    # Until it is built, the new version has nothing to export.
    assert client.get(f"{API}/reports/{second['id']}/export/").status_code == 409


def test_publishing_the_agenda_and_concluding_start_the_builds(db, client_for):
    world = build_world()
    client = client_for(world.facilitator)
    sid = world.session.pk
    transition = f"{API}/sessions/{sid}/transition/"

    def reports() -> list[tuple[str, int, str]]:
        listed = ok(client.get(f"{API}/sessions/{sid}/reports/"))["results"]
        return sorted((r["kind"], r["version"], r["status"]) for r in listed)

    assert reports() == []
    ok(client.post(transition, {"to": "agenda_published"}))
    assert reports() == [("pre_session_brief", 1, "pending")]
    ok(client.post(transition, {"to": "in_progress"}))
    assert reports() == [("pre_session_brief", 1, "pending")]
    ok(client.post(transition, {"to": "concluded"}))
    assert reports() == [
        ("post_session_report", 1, "pending"),
        ("pre_session_brief", 1, "pending"),
    ]
    requested = Report.objects.filter(session=world.session)
    assert {r.requested_by for r in requested} == {world.facilitator}


def test_the_admin_download_serves_the_file(session_world, client_for):
    world = session_world
    report = requested_and_built(client_for(world.facilitator), world)
    superuser = factories.AdminFactory(is_superuser=True)
    browser = Client()
    browser.force_login(superuser)

    listing = browser.get("/admin/reports/report/")
    response = browser.get(f"/admin/reports/report/{report['id']}/export/pdf/")

    assert listing.status_code == 200
    assert f"/admin/reports/report/{report['id']}/export/pdf/" in listing.content.decode()
    assert response["Content-Type"] == "application/pdf"
    name = f"post_session_report-session{world.session.pk}-v1.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert download(response).startswith(b"%PDF")


def test_the_export_report_command_writes_the_file(session_world, client_for, tmp_path):
    world = session_world
    client = client_for(world.facilitator)
    report = requested_and_built(client, world)
    target = tmp_path / "report.csv"
    errors = io.StringIO()

    # Returns (exit status 0) rather than raising CommandError.
    call_command(
        "export_report",
        str(report["id"]),
        "--format",
        "csv",
        "--output",
        str(target),
        stderr=errors,
    )

    exported = client.get(f"{API}/reports/{report['id']}/export/", {"format": "csv"})
    assert target.read_bytes() == download(exported)
    assert target.read_text().splitlines()[0] == ",".join(CSV_COLUMNS)
    assert str(target) in errors.getvalue()


def test_the_export_report_command_refuses_a_missing_report(db):
    missing = (Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    with pytest.raises(CommandError, match=f"No report {missing}"):
        call_command("export_report", str(missing), "--format", "csv")
