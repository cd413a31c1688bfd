"""Writes to the dialogue record. Every function is keyword-only, runs in one
transaction, checks who is acting and what the session's status allows, and raises a
DomainError subclass when a rule of domain.md says no."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NoReturn

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_event_build, audit_record, snapshot
from config import sql
from debates import rules
from debates.errors import InvalidInput, NotPermitted, StaleVersion, WrongStatus
from debates.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Dialogue,
    Expectation,
    MemberRole,
    Outcome,
    Party,
    Position,
    PositionVersion,
    Rule,
    Session,
    SessionLink,
    Topic,
    Visibility,
)
from notifications.models import EventKind
from notifications.services import (
    event_record,
    outbox_kick_on_commit,
    position_event,
    position_event_build,
)

Status = Session.Status

# The life cycle: each status has exactly one next status, and nothing moves back.
NEXT_STATUS: dict[str, str] = {
    Status.DRAFT: Status.AGENDA_PUBLISHED,
    Status.AGENDA_PUBLISHED: Status.IN_PROGRESS,
    Status.IN_PROGRESS: Status.CONCLUDED,
    Status.CONCLUDED: Status.REPORT_PUBLISHED,
}

# Edit windows of domain.md, "What may change when".
AGENDA_WINDOW = {Status.DRAFT}
EXPECTATION_WINDOW = {Status.DRAFT, Status.AGENDA_PUBLISHED}
POSITION_WINDOW = {Status.AGENDA_PUBLISHED, Status.IN_PROGRESS}
SET_UP_WINDOW = {Status.DRAFT, Status.AGENDA_PUBLISHED, Status.IN_PROGRESS, Status.CONCLUDED}


def require_status(session: Session, allowed: Iterable[str], action: str) -> None:
    """Refuse with 409 unless the session's status, as stored now, is in `allowed`.

    The status is read afresh because the caller's instance may predate a transition.
    It is not locked: a write racing a transition may land just before it, which is the
    same as having come a moment earlier."""
    status = Session.objects.values_list("status", flat=True).get(pk=session.pk)
    session.status = status
    if status not in allowed:
        labels = ", ".join(f"'{s.label}'" for s in Status if s in allowed)
        raise WrongStatus(
            f"Cannot {action} while the session is '{Status(status).label}'; "
            f"this is possible only while it is {labels}."
        )


def require_admin(actor: User, action: str) -> None:
    if not rules.is_admin(actor):
        raise NotPermitted(f"Only an admin may {action}.")


def require_manager(actor: User, session: Session, action: str) -> None:
    if not rules.can_manage(actor, session):
        raise NotPermitted(f"Only a facilitator of this session or an admin may {action}.")


def check_choice(value: str, choices: type, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(f"'{value}' is not one of: {', '.join(choices.values)}.", field=field)
    return value


def check_range(value: int, low: int, high: int, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"Must be a whole number from {low} to {high}.", field=field)
    return value


# Dialogues and parties ------------------------------------------------------------


@transaction.atomic
def dialogue_create(
    *,
    actor: User,
    title: str,
    description: str = "",
    languages: Sequence[str] = ("en", "zh-hans"),
    default_rule: str = Rule.CHATHAM_HOUSE,
) -> Dialogue:
    require_admin(actor, "create a dialogue")
    check_choice(default_rule, Rule, "default_rule")
    dialogue = Dialogue.objects.create(
        title=title,
        description=description,
        languages=list(languages),
        default_rule=default_rule,
    )
    audit_record(actor=actor, action="dialogue.create", obj=dialogue, after=snapshot(dialogue))
    return dialogue


DIALOGUE_FIELDS = {"title", "description", "languages", "default_rule"}


@transaction.atomic
def dialogue_update(*, actor: User, dialogue: Dialogue, **changes: Any) -> Dialogue:
    require_admin(actor, "change a dialogue")
    unknown = set(changes) - DIALOGUE_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "default_rule" in changes:
        check_choice(changes["default_rule"], Rule, "default_rule")
    before = snapshot(dialogue, list(changes))
    for name, value in changes.items():
        setattr(dialogue, name, value)
    dialogue.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        action="dialogue.update",
        obj=dialogue,
        before=before,
        after=snapshot(dialogue, list(changes)),
    )
    return dialogue


@transaction.atomic
def party_create(*, actor: User, dialogue: Dialogue, name: str, code: str) -> Party:
    require_admin(actor, "add a party")
    code = code.strip().upper()
    if not code:
        raise InvalidInput("A party needs a short code, such as CN.", field="code")
    if dialogue.parties.filter(code=code).exists():
        raise InvalidInput(f"This dialogue already has a party {code}.", field="code")
    party = Party.objects.create(dialogue=dialogue, name=name, code=code)
    audit_record(actor=actor, action="party.create", obj=party, after=snapshot(party))
    return party


# Sessions -------------------------------------------------------------------------


def _check_builds_on(session: Session, earlier: Iterable[Session]) -> list[Session]:
    earlier = list(earlier)
    for other in earlier:
        if other.pk == session.pk:
            raise InvalidInput("A session cannot build on itself.", field="builds_on")
        if other.dialogue_id != session.dialogue_id:
            raise InvalidInput(
                f"Session {other.pk} belongs to another dialogue.", field="builds_on"
            )
        if other.starts_at >= session.starts_at:
            raise InvalidInput(
                f"Session {other.pk} does not start before this one: a session builds "
                "only on earlier sessions.",
                field="builds_on",
            )
    return earlier


def _set_builds_on(session: Session, earlier: Iterable[Session]) -> None:
    earlier = _check_builds_on(session, earlier)
    SessionLink.objects.filter(session=session).delete()
    SessionLink.objects.bulk_create(SessionLink(session=session, earlier=e) for e in earlier)


def _session_state(session: Session) -> dict[str, Any]:
    return {
        **snapshot(session, [*SESSION_FIELDS, "dialogue", "status"]),
        "builds_on": sorted(session.builds_on.values_list("pk", flat=True)),
        "facilitators": sorted(session.facilitators.values_list("pk", flat=True)),
        "observers": sorted(session.observers.values_list("pk", flat=True)),
    }


@transaction.atomic
def session_create(
    *,
    actor: User,
    dialogue: Dialogue,
    title: str,
    track: str,
    starts_at: datetime,
    ends_at: datetime,
    format: str = Session.Format.BILATERAL,
    rule: str | None = None,
    location: str = "",
    builds_on: Iterable[Session] = (),
    facilitators: Iterable[User] = (),
    observers: Iterable[User] = (),
) -> Session:
    require_admin(actor, "create a session")
    check_choice(track, Session.Track, "track")
    check_choice(format, Session.Format, "format")
    rule = check_choice(rule or dialogue.default_rule, Rule, "rule")
    if ends_at < starts_at:
        raise InvalidInput("A session cannot end before it starts.", field="ends_at")
    session = Session.objects.create(
        dialogue=dialogue,
        title=title,
        track=track,
        format=format,
        rule=rule,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
    )
    _set_builds_on(session, builds_on)
    session.facilitators.set(facilitators)
    session.observers.set(observers)
    audit_record(
        actor=actor,
        action="session.create",
        obj=session,
        after=_session_state(session),
        session_id=session.pk,
    )
    return session


SESSION_FIELDS = {"title", "track", "format", "rule", "starts_at", "ends_at", "location"}


@transaction.atomic
def session_update(
    *,
    actor: User,
    session: Session,
    builds_on: Iterable[Session] | None = None,
    facilitators: Iterable[User] | None = None,
    observers: Iterable[User] | None = None,
    **changes: Any,
) -> Session:
    """Change a session's set-up. Its status moves only through session_transition."""
    require_admin(actor, "change a session")
    unknown = set(changes) - SESSION_FIELDS
    if unknown:
        raise InvalidInput(f"Cannot change: {', '.join(sorted(unknown))}.")
    session = Session.objects.select_for_update().get(pk=session.pk)
    require_status(session, SET_UP_WINDOW, "change the session")
    before = _session_state(session)
    if "track" in changes:
        check_choice(changes["track"], Session.Track, "track")
    if "format" in changes:
        check_choice(changes["format"], Session.Format, "format")
    if "rule" in changes:
        check_choice(changes["rule"], Rule, "rule")
    for name, value in changes.items():
        setattr(session, name, value)
    if session.ends_at < session.starts_at:
        raise InvalidInput("A session cannot end before it starts.", field="ends_at")
    # Every link must still point backwards in time once the session has moved: its own
    # (new or kept) and those of later sessions that build on it. Checked before the
    # save, so the caller gets a clear error rather than the trigger's refusal.
    earlier = _check_builds_on(session, session.builds_on.all() if builds_on is None else builds_on)
    if "starts_at" in changes:
        for later in session.built_upon_by.all():
            _check_builds_on(later, [session])
    if builds_on is not None:
        SessionLink.objects.filter(session=session).delete()
    if changes:
        session.save(update_fields=[*changes, "updated_at"])
    if builds_on is not None:
        SessionLink.objects.bulk_create(SessionLink(session=session, earlier=e) for e in earlier)
    if facilitators is not None:
        session.facilitators.set(facilitators)
    if observers is not None:
        session.observers.set(observers)
    audit_record(
        actor=actor,
        action="session.update",
        obj=session,
        before=before,
        after=_session_state(session),
        session_id=session.pk,
    )
    return session


def _announce_transition(actor: User, session: Session) -> None:
    """What a transition starts, recorded in the transition's own transaction: publishing
    the agenda tells everyone and starts the pre-session brief; concluding starts the
    post-session report; publishing the report publishes the latest ready one (refused
    while there is none) and tells everyone."""
    # Imported here: reports' services build on this module's rules.
    from reports.models import Report
    from reports.services import report_publish, report_request

    if session.status == Status.AGENDA_PUBLISHED:
        items = session.agenda_items.count()
        event_record(
            kind=EventKind.AGENDA_PUBLISHED,
            session=session,
            actor=actor,
            obj=session,
            payload={"items": items, "starts_at": session.starts_at.isoformat()},
        )
        report_request(actor=actor, session=session, kind=Report.Kind.PRE_SESSION_BRIEF)
    elif session.status == Status.CONCLUDED:
        event_record(kind=EventKind.SESSION_CONCLUDED, session=session, actor=actor, obj=session)
        report_request(actor=actor, session=session, kind=Report.Kind.POST_SESSION_REPORT)
    elif session.status == Status.REPORT_PUBLISHED:
        report_publish(actor=actor, session=session)


@transaction.atomic
def session_transition(*, actor: User, session: Session, to: str) -> Session:
    """Move a session one step forward in its life cycle.

    The row is locked first: two facilitators pressing "conclude" at once must not both
    see `in_progress` and both run what concluding starts."""
    require_manager(actor, session, "move the session through its life cycle")
    locked = Session.objects.select_for_update().get(pk=session.pk)
    expected = NEXT_STATUS.get(locked.status)
    if to not in Status.values:
        raise InvalidInput(f"'{to}' is not a session status.", field="to")
    if to != expected:
        where = f"the next status is '{expected}'" if expected else "it is already final"
        raise WrongStatus(f"Cannot move the session from '{locked.status}' to '{to}': {where}.")
    if to == Status.AGENDA_PUBLISHED and not locked.agenda_items.exists():
        raise WrongStatus("Cannot publish an empty agenda: add at least one agenda item.")
    before = locked.status
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    _announce_transition(actor, locked)
    audit_record(
        actor=actor,
        action="session.transition",
        obj=locked,
        before={"status": before},
        after={"status": to},
        session_id=locked.pk,
    )
    session.status = to  # the caller's instance tells the truth too
    return locked


# Agenda -----------------------------------------------------------------------------

AGENDA_FIELDS = {"topic", "title", "objective", "urgency", "order", "minutes"}


def _check_agenda_fields(fields: dict[str, Any]) -> None:
    if "urgency" in fields:
        check_range(fields["urgency"], 1, 5, "urgency")
    if "minutes" in fields:
        check_range(fields["minutes"], 1, 24 * 60, "minutes")
    if "topic" in fields and not isinstance(fields["topic"], Topic):
        raise InvalidInput("Choose a topic of the taxonomy.", field="topic")


@transaction.atomic
def agenda_item_create(
    *,
    actor: User,
    session: Session,
    topic: Topic,
    title: str = "",
    objective: str = "",
    urgency: int = 3,
    order: int | None = None,
    minutes: int = 30,
) -> AgendaItem:
    require_manager(actor, session, "change the agenda")
    require_status(session, AGENDA_WINDOW, "change the agenda")
    _check_agenda_fields({"topic": topic, "urgency": urgency, "minutes": minutes})
    if order is None:
        order = session.agenda_items.count() + 1
    item = AgendaItem.objects.create(
        session=session,
        topic=topic,
        title=title or topic.name,
        objective=objective,
        urgency=urgency,
        order=order,
        minutes=minutes,
    )
    audit_record(
        actor=actor,
        action="agenda_item.create",
        obj=item,
        after=snapshot(item),
        session_id=session.pk,
    )
    return item


@transaction.atomic
def agenda_item_update(*, actor: User, item: AgendaItem, **changes: Any) -> AgendaItem:
    require_manager(actor, item.session, "change the agenda")
    require_status(item.session, AGENDA_WINDOW, "change the agenda")
    unknown = set(changes) - AGENDA_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown fields: {', '.join(sorted(unknown))}.")
    _check_agenda_fields(changes)
    before = snapshot(item, list(changes))
    for name, value in changes.items():
        setattr(item, name, value)
    item.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        action="agenda_item.update",
        obj=item,
        before=before,
        after=snapshot(item, list(changes)),
        session_id=item.session_id,
    )
    return item


@transaction.atomic
def agenda_item_delete(*, actor: User, item: AgendaItem) -> None:
    require_manager(actor, item.session, "change the agenda")
    require_status(item.session, AGENDA_WINDOW, "change the agenda")
    audit_record(
        actor=actor,
        action="agenda_item.delete",
        obj=item,
        before=snapshot(item),
        session_id=item.session_id,
    )
    item.delete()


# Delegations --------------------------------------------------------------------------


@transaction.atomic
def delegation_create(*, actor: User, session: Session, party: Party) -> Delegation:
    require_admin(actor, "add a delegation")
    require_status(session, SET_UP_WINDOW, "add a delegation")
    if party.dialogue_id != session.dialogue_id:
        raise InvalidInput("This party belongs to another dialogue.", field="party")
    if session.delegations.filter(party=party).exists():
        raise InvalidInput(f"{party.code} already has a delegation here.", field="party")
    delegation = Delegation.objects.create(session=session, party=party)
    audit_record(
        actor=actor,
        action="delegation.create",
        obj=delegation,
        after=snapshot(delegation),
        session_id=session.pk,
    )
    return delegation


@transaction.atomic
def delegation_member_add(
    *, actor: User, delegation: Delegation, user: User, role: str = MemberRole.MEMBER
) -> DelegationMember:
    require_admin(actor, "change a delegation")
    require_status(delegation.session, SET_UP_WINDOW, "change a delegation")
    check_choice(role, MemberRole, "role")
    other = (
        DelegationMember.objects.filter(session_id=delegation.session_id, user=user)
        .exclude(delegation=delegation)
        .exists()
    )
    if other:
        raise InvalidInput(
            "This person already sits in another delegation of this session.", field="user"
        )
    if (
        role == MemberRole.HEAD
        and delegation.members.filter(role=MemberRole.HEAD).exclude(user=user).exists()
    ):
        raise InvalidInput("This delegation already has a head.", field="role")
    member, _ = DelegationMember.objects.update_or_create(
        delegation=delegation,
        user=user,
        defaults={"role": role, "session_id": delegation.session_id},
    )
    audit_record(
        actor=actor,
        action="delegation.member_add",
        obj=member,
        after=snapshot(member),
        session_id=delegation.session_id,
    )
    return member


@transaction.atomic
def delegation_member_remove(*, actor: User, delegation: Delegation, user: User) -> None:
    require_admin(actor, "change a delegation")
    require_status(delegation.session, SET_UP_WINDOW, "change a delegation")
    member = delegation.members.filter(user=user).first()
    if member is None:
        raise InvalidInput("This person is not a member of this delegation.", field="user")
    audit_record(
        actor=actor,
        action="delegation.member_remove",
        obj=member,
        before=snapshot(member),
        session_id=delegation.session_id,
    )
    member.delete()


# Expectations -----------------------------------------------------------------------


EXPECTATION_FIELDS = ["agenda_item", "outcome", "importance"]


@transaction.atomic
def expectations_set(
    *, actor: User, delegation: Delegation, items: Sequence[dict[str, Any]]
) -> list[Expectation]:
    """Replace a delegation's expectations with `items`, each a dict of `agenda_item`
    (an AgendaItem of the same session), `outcome` and `importance`."""
    if not rules.is_head(actor, delegation):
        raise NotPermitted("Only the head of this delegation may set its expectations.")
    require_status(delegation.session, EXPECTATION_WINDOW, "set expectations")
    seen: set[int] = set()
    rows = []
    for index, item in enumerate(items):
        missing = {"agenda_item", "outcome"} - set(item)
        if missing:
            raise InvalidInput(f"Item {index}: missing {', '.join(sorted(missing))}.")
        agenda_item = item["agenda_item"]
        if agenda_item.session_id != delegation.session_id:
            raise InvalidInput(
                f"Item {index}: the agenda item belongs to another session.",
                field="agenda_item",
            )
        if agenda_item.pk in seen:
            raise InvalidInput(
                f"Item {index}: the agenda item is listed twice.", field="agenda_item"
            )
        seen.add(agenda_item.pk)
        rows.append(
            Expectation(
                delegation=delegation,
                agenda_item=agenda_item,
                outcome=check_choice(item["outcome"], Outcome, "outcome"),
                importance=check_range(item.get("importance", 3), 1, 5, "importance"),
            )
        )
    before = list(delegation.expectations.values("agenda_item_id", "outcome", "importance"))
    delegation.expectations.all().delete()
    created = Expectation.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="expectations.set",
        obj=delegation,
        before={"expectations": before},
        after={"expectations": [snapshot(e, EXPECTATION_FIELDS) for e in created]},
        session_id=delegation.session_id,
    )
    return created


# Positions ----------------------------------------------------------------------------

VERSION_FIELDS = ("text", "summary", "red_lines", "proposed_language", "visibility")


def _require_member(actor: User, delegation: Delegation) -> None:
    if not rules.is_member(actor, delegation):
        raise NotPermitted("Only members of this delegation may log or revise its positions.")


@transaction.atomic
def position_log(
    *,
    actor: User,
    delegation: Delegation,
    agenda_item: AgendaItem,
    text: str,
    summary: str = "",
    red_lines: str = "",
    proposed_language: str = "",
    visibility: str = Visibility.DELEGATION,
) -> Position:
    """Log a delegation's first position on an agenda item (version 1)."""
    _require_member(actor, delegation)
    if agenda_item.session_id != delegation.session_id:
        raise InvalidInput("The agenda item belongs to another session.", field="agenda_item")
    require_status(delegation.session, POSITION_WINDOW, "log a position")
    check_choice(visibility, Visibility, "visibility")
    if not text.strip():
        raise InvalidInput("A position needs a text.", field="text")
    try:
        # A savepoint, so that losing the race to log the same position leaves the
        # caller's transaction usable for the clear error below.
        with transaction.atomic():
            position = Position.objects.create(
                delegation=delegation, agenda_item=agenda_item, current_version=1
            )
    except IntegrityError:
        raise InvalidInput(
            "This delegation already has a position on this agenda item: revise it instead.",
            field="agenda_item",
        ) from None
    version = PositionVersion.objects.create(
        position=position,
        number=1,
        text=text,
        summary=summary,
        red_lines=red_lines,
        proposed_language=proposed_language,
        visibility=visibility,
        author=actor,
    )
    audit_record(
        actor=actor,
        action="position.log",
        obj=position,
        after=snapshot(version),
        session_id=delegation.session_id,
    )
    position_event(kind=EventKind.POSITION_LOGGED, actor=actor, position=position, version=version)
    return position


def position_revise(
    *,
    actor: User,
    position: Position,
    based_on: int,
    previous: PositionVersion | None = None,
    **changes: Any,
) -> PositionVersion:
    """Add a new immutable version to `position`, revising version `based_on`.

    Fields not given are carried over from version `based_on`, which the caller may
    pass as `previous` when it has read it already (versions never change). Raises
    StaleVersion when `based_on` is no longer the current version."""
    unknown = set(changes) - set(VERSION_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "visibility" in changes:
        check_choice(changes["visibility"], Visibility, "visibility")
    if "text" in changes and not str(changes["text"]).strip():
        raise InvalidInput("A position needs a text.", field="text")
    if previous is None or (previous.position_id, previous.number) != (position.pk, based_on):
        previous = PositionVersion.objects.filter(position=position, number=based_on).first()
    if previous is None:  # no such version, so not the current one either
        _refuse_revision(actor, position, based_on)
    fields = {name: changes.get(name, getattr(previous, name)) for name in VERSION_FIELDS}
    version = PositionVersion(position=position, number=based_on + 1, author=actor, **fields)
    gate = [timezone.now(), position.pk, based_on, actor.pk, *sorted(POSITION_WINDOW)]
    revised = _revise_in_one_statement if connection.vendor == "postgresql" else _revise_in_steps
    if not revised(gate, version, previous, actor):
        _refuse_revision(actor, position, based_on)
    position.current_version = based_on + 1
    outbox_kick_on_commit()
    return version


# The race: two members revise the same version at once. The conditional UPDATE takes
# the row lock; the second waits, then sees current_version moved on (READ COMMITTED
# re-checks the WHERE) and updates nothing, so it loses with 412 instead of silently
# overwriting the first. Membership and the session's status are conditions of the
# same statement, so a revision that may go ahead costs one statement; only one that
# may not reads why. Only placeholders are formatted in (one per status of the window).
REVISE_SQL = f"""
    UPDATE debates_position SET current_version = current_version + 1, updated_at = %s
    WHERE id = %s AND current_version = %s
    AND EXISTS (
        SELECT 1 FROM debates_delegationmember member
        WHERE member.delegation_id = debates_position.delegation_id AND member.user_id = %s
    )
    AND EXISTS (
        SELECT 1 FROM debates_delegation delegation
        JOIN debates_session session ON session.id = delegation.session_id
        WHERE delegation.id = debates_position.delegation_id
        AND session.status IN ({", ".join(["%s"] * len(POSITION_WINDOW))})
    )
"""  # noqa: S608


def _revision_records(version: PositionVersion, previous: PositionVersion, actor: User):
    """The audit event and outbox event of a revision, unsaved (the version's id, which
    the audit event's `after` holds, is set once the version is written)."""
    position = version.position
    audit = audit_event_build(
        actor=actor,
        action="position.revise",
        obj=position,
        before=snapshot(previous),
        after=snapshot(version),
        session_id=position.delegation.session_id,
    )
    event = position_event_build(
        kind=EventKind.POSITION_REVISED, actor=actor, position=position, version=version
    )
    return audit, event


def _revise_in_one_statement(
    gate: list[Any], version: PositionVersion, previous: PositionVersion, actor: User
) -> bool:
    """PostgreSQL: the conditional UPDATE and the inserts of the version, its audit event
    and its outbox event as one statement, which commits (or not) by itself: the busiest
    write of all costs one round trip instead of six (with BEGIN and COMMIT)."""
    version_sql, version_values = sql.insert_select(version, "won")
    audit, event = _revision_records(version, previous, actor)
    audit_sql, audit_values = sql.insert_select(
        audit, "version", after="jsonb_set(%s, '{id}', to_jsonb(version.id))"
    )
    event_sql, event_values = sql.insert_select(event, "won")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH won AS ({REVISE_SQL} RETURNING id), version AS ({version_sql}), "  # noqa: S608
            f"audit AS ({audit_sql}), event AS ({event_sql}) "
            "SELECT version.id, audit.id, event.id FROM version, audit, event",
            [*gate, *version_values, *audit_values, *event_values],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    sql.stored(version, row[0])
    audit.after["id"] = version.pk
    sql.stored(audit, row[1])
    sql.stored(event, row[2])
    return True


@transaction.atomic
def _revise_in_steps(
    gate: list[Any], version: PositionVersion, previous: PositionVersion, actor: User
) -> bool:
    """The same, statement by statement, in a transaction (SQLite, in development)."""
    with connection.cursor() as cursor:
        cursor.execute(REVISE_SQL, gate)
        if not cursor.rowcount:
            return False
    sql.insert(version)
    audit, event = _revision_records(version, previous, actor)
    sql.insert(audit)
    sql.insert(event)
    return True


def _refuse_revision(actor: User, position: Position, based_on: int) -> NoReturn:
    """Raise why `actor` may not revise version `based_on` of `position`."""
    _require_member(actor, position.delegation)
    require_status(position.delegation.session, POSITION_WINDOW, "revise a position")
    current = Position.objects.values_list("current_version", flat=True).get(pk=position.pk)
    raise StaleVersion(
        f"Version {based_on} is not the current version ({current}): someone revised "
        "this position first. Read the current version and revise that.",
        current_version=current,
    )
