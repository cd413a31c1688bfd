"""The served OpenAPI schema is valid, and true (api.md): every operation, fed generated
valid and invalid input by schemathesis, never answers 5xx, and every answer matches the
schema of its status code.

Schemathesis calls the WSGI app in this thread, so the requests share the test's
connection and transaction (rolled back at the end, like any `db` test): no flush, and
the seeded taxonomy stays. One pytest test per operation; the seed is fixed and
Hypothesis derandomized, so every run sends the same requests. To explore further, run
with another seed (SCHEMATHESIS_SEED=7) or raise max_examples locally."""

import os

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import User
from config.wsgi import application
from consensus.models import Point
from debates.models import (
    AgendaItem,
    Delegation,
    Dialogue,
    Party,
    Position,
    Session,
    Topic,
    Visibility,
)
from reports.models import Report
from reports.render import render
from reports.services import build_content
from tests import factories
from tests.conftest import build_world


def test_schema_is_valid_without_warnings(db, tmp_path):
    # --fail-on-warn makes any warning of the generator (an unresolvable field, a
    # missing annotation) an error, and --validate checks it against the OpenAPI spec.
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    assert out.read_text().startswith("openapi: 3")


def seed_record():
    """A world with something behind every path: a session in progress with its agenda,
    delegations, expectations, a position with two versions, points with stances, a
    later session of the same dialogue that builds on it, and reports."""
    world = build_world(status=Session.Status.IN_PROGRESS)
    session = world.session
    factories.ExpectationFactory(delegation=world.delegation_a, agenda_item=world.item)
    position = factories.PositionFactory(
        delegation=world.delegation_a, agenda_item=world.item, current_version=2
    )
    factories.PositionVersionFactory(
        position=position, number=1, visibility=Visibility.SESSION, author=world.member_a
    )
    factories.PositionVersionFactory(position=position, number=2, author=world.member_a)
    point = factories.PointFactory(
        session=session, agenda_item=world.item, recorded_by=world.facilitator
    )
    factories.StanceFactory(point=point, delegation=world.delegation_a)
    factories.PointFactory(
        session=session,
        agenda_item=world.item,
        kind=Point.Kind.DIVERGENCE,
        status=Point.Status.PROPOSED,
        recorded_by=world.facilitator,
    )
    later = factories.SessionFactory(dialogue=session.dialogue)
    later.builds_on.add(session)
    seed_reports(session)
    return world


def seed_reports(session):
    """A post-session report of the session built from the record, with its JSON, CSV
    and Markdown exports (not the PDF: WeasyPrint is too slow to run for every
    operation, so `format=pdf` answers 409 like any export not made), and a pending one."""
    ready = factories.ReportFactory(
        session=session, kind=Report.Kind.POST_SESSION_REPORT, version=1, content=None
    )
    ready.content = build_content(ready)
    ready.exports = {
        fmt: default_storage.save(
            f"reports/{session.pk}/{ready.kind}-v1.{fmt}", ContentFile(render(ready.content, fmt))
        )
        for fmt in ("json", "csv", "md")
    }
    ready.save(update_fields=["content", "exports"])
    factories.ReportFactory(
        session=session,
        kind=Report.Kind.POST_SESSION_REPORT,
        version=2,
        status=Report.Status.PENDING,
        content=None,
    )


def known_ids():
    """Ids of the stored rows, by the first segment of the paths that name them and by
    the fields and parameters that refer to them."""
    users = list(User.objects.values_list("pk", flat=True))
    sessions = list(Session.objects.values_list("pk", flat=True))
    delegations = list(Delegation.objects.values_list("pk", flat=True))
    items = list(AgendaItem.objects.values_list("pk", flat=True))
    points = list(Point.objects.values_list("pk", flat=True))
    dialogues = list(Dialogue.objects.values_list("pk", flat=True))
    return {
        "users": users,
        "user": users,
        "user_id": users,
        "facilitators": users,
        "observers": users,
        "dialogues": dialogues,
        "dialogue": dialogues,
        "sessions": sessions,
        "session": sessions,
        "builds_on": sessions,
        "agenda-items": items,
        "agenda_item": items,
        "delegations": delegations,
        "delegation": delegations,
        "delegation_id": delegations,
        "party": list(Party.objects.values_list("pk", flat=True)),
        "topic": list(Topic.objects.values_list("pk", flat=True)),
        "positions": list(Position.objects.values_list("pk", flat=True)),
        "points": points,
        "carried_from": points,
        "reports": list(Report.objects.values_list("pk", flat=True)),
    }


def aimed(value, pool):
    """An even generated id becomes a stored one; odd ones stay as generated, so that
    both the found and the not-found branches run."""
    if isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
        return pool[(value // 2) % len(pool)]
    return value


def aim_at_the_record(case, ids):
    """Aim the generated ids of the path and of the body at the stored record."""
    resource = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    for name, value in list((case.path_parameters or {}).items()):
        pool = ids.get(name) or ids.get(resource)
        if pool:
            case.path_parameters[name] = aimed(value, pool)
    rows = case.body if isinstance(case.body, list) else [case.body]
    for row in rows:
        if not isinstance(row, dict):
            continue
        for name, value in row.items():
            pool = ids.get(name)
            if pool and isinstance(value, list):
                row[name] = [aimed(v, pool) for v in value]
            elif pool:
                row[name] = aimed(value, pool)


@pytest.fixture
def in_process_requests(db, settings, tmp_path):
    """The WSGI app runs in this thread, inside the test's transaction, the way Django's
    test client runs it: without the request signals closing the connection."""
    # Generated writes come fast: lift the write throttle (test_bad_input tests it).
    settings.API_THROTTLE_RATES = {"signin": "100000/minute", "writes": "100000/minute"}
    settings.MEDIA_ROOT = str(tmp_path / "media")  # report exports
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token_and_ids(in_process_requests):
    world = seed_record()
    return Token.objects.create(user=world.admin).key, known_ids()


# Fixed, so that every run sends the same requests (with derandomize below).
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20250601"))

# Loaded at collection through the WSGI app itself: the schema as a client is served it.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/", application, config=schemathesis.Config(seed=SEED)
)


@schema.parametrize()
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, admin_token_and_ids):
    token, ids = admin_token_and_ids
    aim_at_the_record(case, ids)
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
