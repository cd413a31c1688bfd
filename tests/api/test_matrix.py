"""The security matrix of the REST API (api.md): for every route and method, and for every
role, the status code the contract gives, written out cell by cell. A changed cell fails,
and so does a route or method that has no row (the last test).

The world (tests/conftest.py) is one session with an admin, a facilitator, the head and
a member of delegation A, a member of delegation B (`other_member`), an observer, and an
outsider who observes ANOTHER session of the same dialogue; `anonymous` sends no
credentials. On top of it: three agenda items, four positions (A and B, each one
`delegation`-visible and one `session`-visible), a point, an expectation of A, a party of
the dialogue without a delegation, a person in no session, a dialogue without any
session, a notification each for the head and the observer, and two reports of the
session (a ready brief with its JSON export, a post-session report not built yet). It
is built once per module; each cell runs in a savepoint that first gives the session the
row's status and rule, so whatever a cell writes (a DELETE, a transition) is undone
before the next.

A cell is either a status code, or, for lists, `(status, {names})`: the named objects the
list shows, and nothing else (the count must match too). Every write is also checked for
its effect: a 2xx write appended to the audit trail (or, where nothing is audited, did
what it says), anything else did not, so a refused write changed nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import override_settings
from django.urls import resolve
from rest_framework.authtoken.models import Token

from accounts.models import User
from audit.models import AuditEvent
from config.urls import api_v1
from debates.models import Rule, Session, Visibility
from notifications.models import Event, EventKind, Notification, Preference
from reports.render import render
from tests import factories
from tests.conftest import build_world

Status = Session.Status
DRAFT = Status.DRAFT
AGENDA_PUBLISHED = Status.AGENDA_PUBLISHED
IN_PROGRESS = Status.IN_PROGRESS
CONCLUDED = Status.CONCLUDED
REPORT_PUBLISHED = Status.REPORT_PUBLISHED

ROLES = (
    "admin",
    "facilitator",
    "head",
    "member",
    "other_member",
    "observer",
    "outsider",
    "anonymous",
)
BASE = "/api/v1"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

Cell = int | tuple[int, set[str]]


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # under /api/v1, with {name} placeholders for the world's ids
    expect: dict[str, Cell]
    body: Callable[[dict[str, Any]], Any] | None = None
    status: str = DRAFT  # the session's status for this row
    rule: str = Rule.ON_RECORD
    if_match: int | None = None
    lists: str | None = None  # kind of the named objects a list cell names
    # For a write that is not audited: whether it took effect (default: the audit trail
    # grew). A write takes effect exactly when it answers 2xx.
    took_effect: Callable[[dict[str, Any]], bool] | None = None
    note: str = ""

    @property
    def id(self) -> str:
        tags = [t for t in (self.status if self.status != DRAFT else "", self.note) if t]
        if self.rule != Rule.ON_RECORD:
            tags.insert(0, self.rule)
        return f"{self.method} {self.path}" + (f" ({', '.join(tags)})" if tags else "")


# One row per route, method and session state; one cell per role.
CASES: list[Case] = [
    # People --------------------------------------------------------------------------
    Case(
        "GET",
        "/me/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 200,
            "anonymous": 401,
        },
    ),
    Case(
        "POST",
        "/auth/token/",
        # Signing in is open to anyone (it is how one stops being anonymous).
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 200,
            "anonymous": 200,
        },
        body=lambda o: {"username": o["head_username"], "password": "pw"},
        took_effect=lambda o: Token.objects.filter(user__username=o["head_username"]).exists(),
    ),
    Case(
        "GET",
        "/users/",
        {
            "admin": 200,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 403,
            "anonymous": 401,
        },
    ),
    Case(
        "POST",
        "/users/",
        {
            "admin": 201,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 403,
            "anonymous": 401,
        },
        body=lambda o: {
            "username": "new.delegate",
            "password": "Tidal-Lantern-4821",
            "email": "new.delegate@example.org",
            "display_name": "New Delegate",
        },
    ),
    Case(
        "GET",
        "/users/{member_a}/",
        {
            "admin": 200,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 403,
            "anonymous": 401,
        },
    ),
    # Dialogues and parties -------------------------------------------------------------
    Case(
        "GET",
        "/dialogues/",
        # The outsider has a session in the dialogue, so reads the dialogue itself.
        {
            "admin": (200, {"dialogue", "hidden_dialogue"}),
            "facilitator": (200, {"dialogue"}),
            "head": (200, {"dialogue"}),
            "member": (200, {"dialogue"}),
            "other_member": (200, {"dialogue"}),
            "observer": (200, {"dialogue"}),
            "outsider": (200, {"dialogue"}),
            "anonymous": 401,
        },
        lists="dialogue",
    ),
    Case(
        "POST",
        "/dialogues/",
        {
            "admin": 201,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 403,
            "anonymous": 401,
        },
        body=lambda o: {"title": "AI and biosecurity", "languages": ["en", "zh-hans"]},
    ),
    Case(
        "GET",
        "/dialogues/{dialogue}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 200,
            "anonymous": 401,
        },
    ),
    Case(
        "GET",
        "/dialogues/{hidden_dialogue}/",
        {
            "admin": 200,
            "facilitator": 404,
            "head": 404,
            "member": 404,
            "other_member": 404,
            "observer": 404,
            "outsider": 404,
            "anonymous": 401,
        },
    ),
    Case(
        "PATCH",
        "/dialogues/{dialogue}/",
        {
            "admin": 200,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 403,
            "anonymous": 401,
        },
        body=lambda o: {"description": "Standing dialogue on frontier AI risk."},
    ),
    Case(
        "PATCH",
        "/dialogues/{hidden_dialogue}/",
        {
            "admin": 200,
            "facilitator": 404,
            "head": 404,
            "member": 404,
            "other_member": 404,
            "observer": 404,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"description": "Standing dialogue on frontier AI risk."},
    ),
    Case(
        "GET",
        "/dialogues/{dialogue}/parties/",
        {
            "admin": (200, {"party_a", "party_b", "party_c"}),
            "facilitator": (200, {"party_a", "party_b", "party_c"}),
            "head": (200, {"party_a", "party_b", "party_c"}),
            "member": (200, {"party_a", "party_b", "party_c"}),
            "other_member": (200, {"party_a", "party_b", "party_c"}),
            "observer": (200, {"party_a", "party_b", "party_c"}),
            "outsider": (200, {"party_a", "party_b", "party_c"}),
            "anonymous": 401,
        },
        lists="party",
    ),
    Case(
        "GET",
        "/dialogues/{hidden_dialogue}/parties/",
        {
            "admin": 200,
            "facilitator": 404,
            "head": 404,
            "member": 404,
            "other_member": 404,
            "observer": 404,
            "outsider": 404,
            "anonymous": 401,
        },
    ),
    Case(
        "POST",
        "/dialogues/{dialogue}/parties/",
        {
            "admin": 201,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 403,
            "anonymous": 401,
        },
        body=lambda o: {"name": "European Union", "code": "EU"},
    ),
    Case(
        "GET",
        "/topics/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 200,
            "anonymous": 401,
        },
    ),
    # Sessions ----------------------------------------------------------------------------
    Case(
        "GET",
        "/sessions/",
        {
            "admin": (200, {"session", "other_session"}),
            "facilitator": (200, {"session"}),
            "head": (200, {"session"}),
            "member": (200, {"session"}),
            "other_member": (200, {"session"}),
            "observer": (200, {"session"}),
            "outsider": (200, {"other_session"}),
            "anonymous": 401,
        },
        lists="session",
    ),
    Case(
        "GET",
        "/sessions/?dialogue={dialogue}",
        {
            "admin": (200, {"session", "other_session"}),
            "facilitator": (200, {"session"}),
            "head": (200, {"session"}),
            "member": (200, {"session"}),
            "other_member": (200, {"session"}),
            "observer": (200, {"session"}),
            "outsider": (200, {"other_session"}),
            "anonymous": 401,
        },
        lists="session",
    ),
    Case(
        "POST",
        "/sessions/",
        {
            "admin": 201,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 403,
            "anonymous": 401,
        },
        body=lambda o: {
            "dialogue": o["dialogue"],
            "title": "Track I follow-up",
            "track": "track_1",
            "starts_at": "2031-05-01T09:00:00+00:00",
            "ends_at": "2031-05-01T17:00:00+00:00",
        },
    ),
    Case(
        "GET",
        "/sessions/{session}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
    ),
    Case(
        "GET",
        "/sessions/{other_session}/",
        # The outsider's own session: the world's people are not in it.
        {
            "admin": 200,
            "facilitator": 404,
            "head": 404,
            "member": 404,
            "other_member": 404,
            "observer": 404,
            "outsider": 200,
            "anonymous": 401,
        },
    ),
    Case(
        "PATCH",
        "/sessions/{session}/",
        {
            "admin": 200,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"location": "Geneva"},
    ),
    Case(
        "PATCH",
        "/sessions/{session}/",
        {
            "admin": 409,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"location": "Geneva"},
        status=REPORT_PUBLISHED,
    ),
    Case(
        "POST",
        "/sessions/{session}/transition/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"to": "agenda_published"},
        note="next step",
    ),
    Case(
        "POST",
        "/sessions/{session}/transition/",
        {
            "admin": 409,
            "facilitator": 409,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"to": "in_progress"},
        note="skips a step",
    ),
    Case(
        "GET",
        "/sessions/{session}/consensus/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
        status=IN_PROGRESS,
    ),
    # Agenda -------------------------------------------------------------------------------
    Case(
        "GET",
        "/sessions/{session}/agenda-items/",
        {
            "admin": (200, {"item", "item2", "item3"}),
            "facilitator": (200, {"item", "item2", "item3"}),
            "head": (200, {"item", "item2", "item3"}),
            "member": (200, {"item", "item2", "item3"}),
            "other_member": (200, {"item", "item2", "item3"}),
            "observer": (200, {"item", "item2", "item3"}),
            "outsider": 404,
            "anonymous": 401,
        },
        lists="item",
    ),
    Case(
        "POST",
        "/sessions/{session}/agenda-items/",
        {
            "admin": 201,
            "facilitator": 201,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"topic": o["topic"], "objective": "Agree on incident reporting."},
    ),
    Case(
        "POST",
        "/sessions/{session}/agenda-items/",
        {
            "admin": 409,
            "facilitator": 409,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"topic": o["topic"], "objective": "Agree on incident reporting."},
        status=AGENDA_PUBLISHED,
    ),
    Case(
        "GET",
        "/agenda-items/{item}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
    ),
    Case(
        "PATCH",
        "/agenda-items/{item}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"urgency": 5},
    ),
    Case(
        "PATCH",
        "/agenda-items/{item}/",
        {
            "admin": 409,
            "facilitator": 409,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"urgency": 5},
        status=AGENDA_PUBLISHED,
    ),
    Case(
        "DELETE",
        "/agenda-items/{item3}/",
        {
            "admin": 204,
            "facilitator": 204,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
    ),
    Case(
        "DELETE",
        "/agenda-items/{item3}/",
        {
            "admin": 409,
            "facilitator": 409,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        status=AGENDA_PUBLISHED,
    ),
    # Delegations -------------------------------------------------------------------------
    Case(
        "GET",
        "/sessions/{session}/delegations/",
        {
            "admin": (200, {"delegation_a", "delegation_b"}),
            "facilitator": (200, {"delegation_a", "delegation_b"}),
            "head": (200, {"delegation_a", "delegation_b"}),
            "member": (200, {"delegation_a", "delegation_b"}),
            "other_member": (200, {"delegation_a", "delegation_b"}),
            "observer": (200, {"delegation_a", "delegation_b"}),
            "outsider": 404,
            "anonymous": 401,
        },
        lists="delegation",
    ),
    Case(
        "POST",
        "/sessions/{session}/delegations/",
        {
            "admin": 201,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"party": o["party_c"]},
    ),
    Case(
        "GET",
        "/delegations/{delegation_a}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
    ),
    Case(
        "POST",
        "/delegations/{delegation_a}/members/",
        {
            "admin": 201,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"user": o["newcomer"], "role": "advisor"},
    ),
    Case(
        "POST",
        "/delegations/{delegation_a}/members/",
        {
            "admin": 409,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"user": o["newcomer"], "role": "advisor"},
        status=REPORT_PUBLISHED,
    ),
    Case(
        "DELETE",
        "/delegations/{delegation_a}/members/{member_a}/",
        {
            "admin": 204,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
    ),
    Case(
        "GET",
        "/delegations/{delegation_a}/expectations/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
    ),
    Case(
        "PUT",
        "/delegations/{delegation_a}/expectations/",
        {
            "admin": 403,
            "facilitator": 403,
            "head": 200,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: [{"agenda_item": o["item2"], "outcome": "joint_statement", "importance": 4}],
    ),
    Case(
        "PUT",
        "/delegations/{delegation_b}/expectations/",
        # Only B's head (not a role of the matrix) may: A's head is refused.
        {
            "admin": 403,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: [{"agenda_item": o["item2"], "outcome": "joint_statement", "importance": 4}],
    ),
    Case(
        "PUT",
        "/delegations/{delegation_a}/expectations/",
        {
            "admin": 403,
            "facilitator": 403,
            "head": 409,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: [{"agenda_item": o["item2"], "outcome": "joint_statement", "importance": 4}],
        status=IN_PROGRESS,
    ),
    # Positions ---------------------------------------------------------------------------
    Case(
        "GET",
        "/positions/",
        {
            "admin": (200, {"a_private", "a_session", "b_session", "b_private"}),
            "facilitator": (200, {"a_private", "a_session", "b_session", "b_private"}),
            "head": (200, {"a_private", "a_session", "b_session"}),
            "member": (200, {"a_private", "a_session", "b_session"}),
            "other_member": (200, {"a_session", "b_session", "b_private"}),
            "observer": (200, {"a_session", "b_session"}),
            "outsider": (200, set()),
            "anonymous": 401,
        },
        status=IN_PROGRESS,
        lists="position",
    ),
    Case(
        "GET",
        "/positions/?session={session}",
        # For the outsider, a filter on a session they may not see: an empty list.
        {
            "admin": (200, {"a_private", "a_session", "b_session", "b_private"}),
            "facilitator": (200, {"a_private", "a_session", "b_session", "b_private"}),
            "head": (200, {"a_private", "a_session", "b_session"}),
            "member": (200, {"a_private", "a_session", "b_session"}),
            "other_member": (200, {"a_session", "b_session", "b_private"}),
            "observer": (200, {"a_session", "b_session"}),
            "outsider": (200, set()),
            "anonymous": 401,
        },
        status=IN_PROGRESS,
        lists="position",
    ),
    Case(
        "GET",
        "/positions/?delegation={delegation_a}",
        {
            "admin": (200, {"a_private", "a_session"}),
            "facilitator": (200, {"a_private", "a_session"}),
            "head": (200, {"a_private", "a_session"}),
            "member": (200, {"a_private", "a_session"}),
            "other_member": (200, {"a_session"}),
            "observer": (200, {"a_session"}),
            "outsider": (200, set()),
            "anonymous": 401,
        },
        status=IN_PROGRESS,
        lists="position",
    ),
    Case(
        "GET",
        "/positions/?session={session}",
        {
            "admin": (200, {"a_private", "a_session", "b_session", "b_private"}),
            "facilitator": (200, {"a_private", "a_session", "b_session", "b_private"}),
            "head": (200, {"a_private", "a_session", "b_session"}),
            "member": (200, {"a_private", "a_session", "b_session"}),
            "other_member": (200, {"a_session", "b_session", "b_private"}),
            "observer": (200, {"a_session", "b_session"}),
            "outsider": (200, set()),
            "anonymous": 401,
        },
        status=IN_PROGRESS,
        rule=Rule.CHATHAM_HOUSE,
        lists="position",
    ),
    Case(
        "POST",
        "/positions/",
        # The outsider names a delegation and an agenda item they may not see: to them
        # these ids do not exist, which is invalid input (400), as for any unknown id.
        {
            "admin": 403,
            "facilitator": 403,
            "head": 201,
            "member": 201,
            "other_member": 403,
            "observer": 403,
            "outsider": 400,
            "anonymous": 401,
        },
        body=lambda o: {
            "delegation": o["delegation_a"],
            "agenda_item": o["item3"],
            "text": "We propose a shared incident register.",
            "visibility": "session",
        },
        status=AGENDA_PUBLISHED,
    ),
    Case(
        "POST",
        "/positions/",
        {
            "admin": 403,
            "facilitator": 403,
            "head": 409,
            "member": 409,
            "other_member": 403,
            "observer": 403,
            "outsider": 400,
            "anonymous": 401,
        },
        body=lambda o: {
            "delegation": o["delegation_a"],
            "agenda_item": o["item3"],
            "text": "We propose a shared incident register.",
            "visibility": "session",
        },
    ),
    Case(
        "GET",
        "/positions/{a_private}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 404,
            "observer": 404,
            "outsider": 404,
            "anonymous": 401,
        },
        status=IN_PROGRESS,
    ),
    Case(
        "PATCH",
        "/positions/{a_private}/",
        {
            "admin": 403,
            "facilitator": 403,
            "head": 200,
            "member": 200,
            "other_member": 404,
            "observer": 404,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"summary": "Shared incident register, revised."},
        status=IN_PROGRESS,
        if_match=1,
    ),
    Case(
        "GET",
        "/positions/{a_private}/versions/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 404,
            "observer": 404,
            "outsider": 404,
            "anonymous": 401,
        },
        status=IN_PROGRESS,
    ),
    Case(
        "GET",
        "/positions/{a_session}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
        status=IN_PROGRESS,
    ),
    Case(
        "PATCH",
        "/positions/{a_session}/",
        {
            "admin": 403,
            "facilitator": 403,
            "head": 200,
            "member": 200,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"summary": "Shared incident register, revised."},
        status=IN_PROGRESS,
        if_match=1,
    ),
    Case(
        "PATCH",
        "/positions/{a_session}/",
        {
            "admin": 403,
            "facilitator": 403,
            "head": 409,
            "member": 409,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"summary": "Shared incident register, revised."},
        status=CONCLUDED,
        if_match=1,
    ),
    Case(
        "GET",
        "/positions/{a_session}/versions/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
        status=IN_PROGRESS,
    ),
    # Chatham House changes nothing inside the session (domain.md): it governs views from
    # outside it, and the outsider sees nothing of the session either way.
    Case(
        "GET",
        "/positions/{a_session}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
        status=IN_PROGRESS,
        rule=Rule.CHATHAM_HOUSE,
    ),
    Case(
        "PATCH",
        "/positions/{a_session}/",
        {
            "admin": 403,
            "facilitator": 403,
            "head": 200,
            "member": 200,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"summary": "Shared incident register, revised."},
        status=IN_PROGRESS,
        rule=Rule.CHATHAM_HOUSE,
        if_match=1,
    ),
    Case(
        "GET",
        "/positions/{a_session}/versions/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
        status=IN_PROGRESS,
        rule=Rule.CHATHAM_HOUSE,
    ),
    Case(
        "GET",
        "/positions/{a_private}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 404,
            "observer": 404,
            "outsider": 404,
            "anonymous": 401,
        },
        status=IN_PROGRESS,
        rule=Rule.CHATHAM_HOUSE,
    ),
    # Points and stances --------------------------------------------------------------------
    Case(
        "GET",
        "/points/",
        {
            "admin": (200, {"point"}),
            "facilitator": (200, {"point"}),
            "head": (200, {"point"}),
            "member": (200, {"point"}),
            "other_member": (200, {"point"}),
            "observer": (200, {"point"}),
            "outsider": (200, set()),
            "anonymous": 401,
        },
        status=IN_PROGRESS,
        lists="point",
    ),
    Case(
        "GET",
        "/points/?session={session}",
        {
            "admin": (200, {"point"}),
            "facilitator": (200, {"point"}),
            "head": (200, {"point"}),
            "member": (200, {"point"}),
            "other_member": (200, {"point"}),
            "observer": (200, {"point"}),
            "outsider": (200, set()),
            "anonymous": 401,
        },
        status=IN_PROGRESS,
        lists="point",
    ),
    Case(
        "POST",
        "/points/",
        # The outsider names a session they may not see: an unknown id, 400 (as above).
        {
            "admin": 201,
            "facilitator": 201,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 400,
            "anonymous": 401,
        },
        body=lambda o: {
            "session": o["session"],
            "agenda_item": o["item2"],
            "kind": "divergence",
            "statement": "The parties differ on the scope of the register.",
        },
        status=IN_PROGRESS,
    ),
    Case(
        "POST",
        "/points/",
        {
            "admin": 409,
            "facilitator": 409,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 400,
            "anonymous": 401,
        },
        body=lambda o: {
            "session": o["session"],
            "agenda_item": o["item2"],
            "kind": "divergence",
            "statement": "The parties differ on the scope of the register.",
        },
        status=AGENDA_PUBLISHED,
    ),
    Case(
        "GET",
        "/points/{point}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
        status=IN_PROGRESS,
    ),
    Case(
        "PATCH",
        "/points/{point}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"statement": "Both parties support a shared incident register."},
        status=IN_PROGRESS,
    ),
    Case(
        "PATCH",
        "/points/{point}/",
        {
            "admin": 409,
            "facilitator": 409,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"statement": "Both parties support a shared incident register."},
        status=REPORT_PUBLISHED,
    ),
    Case(
        "PUT",
        "/points/{point}/stances/{delegation_a}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"stance": "agree", "note": "Subject to review."},
        status=IN_PROGRESS,
    ),
    Case(
        "PUT",
        "/points/{point}/stances/{delegation_b}/",
        # The other delegation's stance: A's head is refused.
        {
            "admin": 200,
            "facilitator": 200,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"stance": "disagree", "note": ""},
        status=IN_PROGRESS,
    ),
    Case(
        "PUT",
        "/points/{point}/stances/{delegation_a}/",
        # After the session concludes only facilitators and admins still record stances.
        {
            "admin": 200,
            "facilitator": 200,
            "head": 409,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"stance": "agree", "note": "Subject to review."},
        status=CONCLUDED,
    ),
    # Reports: session people read them; facilitators and admins ask for builds (each
    # answered 202, built later by a worker) and export them. `brief` is ready with a
    # JSON export; `pending_report` is not built yet.
    Case(
        "GET",
        "/sessions/{session}/reports/",
        {
            "admin": (200, {"brief", "pending_report"}),
            "facilitator": (200, {"brief", "pending_report"}),
            "head": (200, {"brief", "pending_report"}),
            "member": (200, {"brief", "pending_report"}),
            "other_member": (200, {"brief", "pending_report"}),
            "observer": (200, {"brief", "pending_report"}),
            "outsider": 404,
            "anonymous": 401,
        },
        status=CONCLUDED,
        lists="report",
    ),
    Case(
        "POST",
        "/sessions/{session}/reports/",
        {
            "admin": 202,
            "facilitator": 202,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"kind": "post_session_report"},
        status=IN_PROGRESS,
    ),
    Case(
        "POST",
        "/sessions/{session}/reports/",
        {
            "admin": 202,
            "facilitator": 202,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"kind": "post_session_report"},
        status=CONCLUDED,
    ),
    Case(
        "POST",
        "/sessions/{session}/reports/",
        # No brief before the agenda is published.
        {
            "admin": 409,
            "facilitator": 409,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        body=lambda o: {"kind": "pre_session_brief"},
    ),
    Case(
        "GET",
        "/reports/{brief}/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 404,
            "anonymous": 401,
        },
        status=CONCLUDED,
    ),
    Case(
        "GET",
        "/reports/{brief}/export/?format=json",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        status=CONCLUDED,
    ),
    Case(
        "GET",
        "/reports/{pending_report}/export/?format=json",
        # Not built yet: nothing to export.
        {
            "admin": 409,
            "facilitator": 409,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 404,
            "anonymous": 401,
        },
        status=CONCLUDED,
    ),
    # Notifications: each person reads and marks only their own ------------------------
    Case(
        "GET",
        "/notifications/",
        {
            "admin": (200, set()),
            "facilitator": (200, set()),
            "head": (200, {"head_notice"}),
            "member": (200, set()),
            "other_member": (200, set()),
            "observer": (200, {"observer_notice"}),
            "outsider": (200, set()),
            "anonymous": 401,
        },
        lists="notification",
    ),
    Case(
        "POST",
        "/notifications/{head_notice}/read/",
        {
            "admin": 404,
            "facilitator": 404,
            "head": 200,
            "member": 404,
            "other_member": 404,
            "observer": 404,
            "outsider": 404,
            "anonymous": 401,
        },
        took_effect=lambda o: Notification.objects.get(pk=o["head_notice"]).read_at is not None,
    ),
    Case(
        "GET",
        "/notifications/preferences/",
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 200,
            "anonymous": 401,
        },
    ),
    Case(
        "PUT",
        "/notifications/preferences/",
        # Each person sets their own channels; nobody else's can be named.
        {
            "admin": 200,
            "facilitator": 200,
            "head": 200,
            "member": 200,
            "other_member": 200,
            "observer": 200,
            "outsider": 200,
            "anonymous": 401,
        },
        body=lambda o: [{"kind": "point_recorded", "in_app": True, "email": False}],
        took_effect=lambda o: Preference.objects.filter(
            kind="point_recorded", email=False
        ).exists(),
    ),
    # Audit ---------------------------------------------------------------------------------
    Case(
        "GET",
        "/audit/",
        {
            "admin": 200,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 403,
            "anonymous": 401,
        },
    ),
    Case(
        "GET",
        "/audit/verify/",
        {
            "admin": 200,
            "facilitator": 403,
            "head": 403,
            "member": 403,
            "other_member": 403,
            "observer": 403,
            "outsider": 403,
            "anonymous": 401,
        },
    ),
]


@dataclass
class MatrixWorld:
    users: dict[str, int]  # role -> user id
    ids: dict[str, Any] = field(default_factory=dict)  # placeholder -> value
    names: dict[str, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))

    def name(self, kind: str, name: str, obj) -> None:
        self.ids[name] = obj.pk
        self.names[kind][obj.pk] = name


def build() -> MatrixWorld:
    world = build_world()
    session = world.session
    roles = world.roles()
    built = MatrixWorld(users={role: roles[role].pk for role in ROLES if role != "anonymous"})

    item2 = factories.AgendaItemFactory(session=session)
    item3 = factories.AgendaItemFactory(session=session)  # no position, no expectation

    def position(delegation, item, visibility, author):
        found = factories.PositionFactory(delegation=delegation, agenda_item=item)
        factories.PositionVersionFactory(position=found, visibility=visibility, author=author)
        return found

    a, b = world.delegation_a, world.delegation_b
    built.name(
        "position", "a_private", position(a, world.item, Visibility.DELEGATION, world.member_a)
    )
    built.name("position", "a_session", position(a, item2, Visibility.SESSION, world.head_a))
    built.name("position", "b_session", position(b, world.item, Visibility.SESSION, world.head_b))
    built.name("position", "b_private", position(b, item2, Visibility.DELEGATION, world.member_b))
    factories.ExpectationFactory(delegation=a, agenda_item=world.item)

    built.name("session", "session", session)
    built.name("session", "other_session", Session.objects.get(observers=world.outsider))
    built.name("dialogue", "dialogue", session.dialogue)
    built.name("dialogue", "hidden_dialogue", factories.DialogueFactory())
    built.name("party", "party_a", a.party)
    built.name("party", "party_b", b.party)
    built.name("party", "party_c", factories.PartyFactory(dialogue=session.dialogue))
    built.name("item", "item", world.item)
    built.name("item", "item2", item2)
    built.name("item", "item3", item3)
    built.name("delegation", "delegation_a", a)
    built.name("delegation", "delegation_b", b)
    point = factories.PointFactory(session=session, agenda_item=world.item, recorded_by=world.admin)
    built.name("point", "point", point)
    event = Event.objects.create(
        kind=EventKind.AGENDA_PUBLISHED,
        session=session,
        payload={"session_title": session.title, "items": 3},
    )
    for name, person in (("head_notice", world.head_a), ("observer_notice", world.observer)):
        notice = Notification.objects.create(event=event, recipient=person)
        built.name("notification", name, notice)
    # Reports of the session: a ready brief with its JSON export in the (temporary) media
    # storage, and a post-session report not built yet.
    brief = factories.ReportFactory(session=session, kind="pre_session_brief", version=1)
    brief.exports = {
        "json": default_storage.save(
            f"reports/{session.pk}/brief-v1.json", ContentFile(render(brief.content, "json"))
        )
    }
    brief.save(update_fields=["exports"])
    built.name("report", "brief", brief)
    pending = factories.ReportFactory(
        session=session, kind="post_session_report", version=1, status="pending", content=None
    )
    built.name("report", "pending_report", pending)
    built.ids["member_a"] = world.member_a.pk
    built.ids["newcomer"] = factories.UserFactory().pk
    built.ids["topic"] = factories.topic().pk
    built.ids["head_username"] = world.head_a.username
    return built


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per module (and xdist worker) in a transaction rolled back
    when the module ends. Each cell runs in a savepoint inside it (the `db` fixture), so
    whatever a cell writes, and the status it gives the session, is undone after it.
    Report exports go to a temporary media root, for the whole module."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with media, django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            built = build()
        yield built
        transaction.set_rollback(True)


CELLS = [pytest.param(case, role, id=f"{case.id} | {role}") for case in CASES for role in ROLES]


@pytest.mark.parametrize(("case", "role"), CELLS)
def test_matrix(db, matrix_world, client_for, case: Case, role: str):
    world = matrix_world
    Session.objects.filter(pk=world.ids["session"]).update(status=case.status, rule=case.rule)
    user = None if role == "anonymous" else User.objects.get(pk=world.users[role])
    client = client_for(user)
    extra = {"HTTP_IF_MATCH": f'"{case.if_match}"'} if case.if_match is not None else {}
    body = case.body(world.ids) if case.body else None
    events_before = AuditEvent.objects.count()

    response = getattr(client, case.method.lower())(
        BASE + case.path.format(**world.ids), body, format="json", **extra
    )

    # An export streams its file: reading it to the end also closes it.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    expected = case.expect[role]
    code, listed = expected if isinstance(expected, tuple) else (expected, None)
    assert response.status_code == code, content[:500]
    if listed is not None:
        page = response.json()
        shown = [world.names[case.lists].get(row["id"], f"?{row['id']}") for row in page["results"]]
        assert sorted(shown) == sorted(listed)
        assert page["count"] == len(listed)
    if case.method != "GET":
        if case.took_effect is None:
            took_effect = AuditEvent.objects.count() > events_before
        else:
            took_effect = case.took_effect(world.ids)
        assert took_effect == (200 <= code < 300)


def _route(path: str) -> str:
    return resolve(BASE + path.split("?")[0].format_map(defaultdict(lambda: 1))).route


def test_the_matrix_covers_every_route_and_method_for_every_role():
    served = set()
    for pattern in api_v1:
        view = pattern.callback.view_class
        for method in view.http_method_names:
            if method not in ("head", "options") and hasattr(view, method):
                served.add((method.upper(), "api/v1/" + str(pattern.pattern)))
    covered = {(case.method, _route(case.path)) for case in CASES}

    assert covered == served
    assert all(tuple(case.expect) == ROLES for case in CASES)
    assert len({case.id for case in CASES}) == len(CASES)
