"""A revision is written, on PostgreSQL, as one statement (the conditional UPDATE and the
inserts of the version, its audit event and its outbox event); elsewhere statement by
statement in a transaction. Both must leave the same record, and the one statement must
write all of it or nothing."""

import pytest
from django.db import DataError

from audit.models import AuditEvent
from debates import services
from debates.models import Position, PositionVersion, Session, Visibility
from notifications.models import Event, EventKind


def revise(world, position, based_on):
    """Revise `position` from `based_on` with the same change; what the revision left,
    less what differs by nature between two revisions (ids, times, numbers), which is
    checked here."""
    version = services.position_revise(
        actor=world.head_a, position=position, based_on=based_on, summary="Same."
    )
    stored = PositionVersion.objects.get(pk=version.pk)
    audit = AuditEvent.objects.filter(action="position.revise").latest("id")
    event = Event.objects.filter(kind=EventKind.POSITION_REVISED).latest("id")
    assert stored.number == version.number == based_on + 1
    assert audit.after["id"] == stored.pk == version.pk
    assert audit.after["created_at"] == stored.created_at.isoformat()
    assert (audit.before["number"], audit.after["number"]) == (based_on, based_on + 1)
    assert event.payload["version"] == based_on + 1
    assert Position.objects.get(pk=position.pk).current_version == based_on + 1
    unnumbered = {"id", "number", "created_at"}
    return {
        "version": (stored.text, stored.summary, stored.visibility, stored.author_id),
        "audit": (
            audit.actor_id,
            audit.actor_username,
            audit.object_type,
            audit.object_id,
            audit.session_id,
            audit.seq,
            {k: v for k, v in audit.after.items() if k not in unnumbered},
        ),
        "event": (
            event.session_id,
            event.delegation_id,
            event.actor_id,
            event.object_type,
            event.object_id,
            event.fanned_out_at,
            {k: v for k, v in event.payload.items() if k != "version"},
        ),
    }


def test_one_statement_and_step_by_step_revisions_leave_the_same_record(make_world, monkeypatch):
    world = make_world(status=Session.Status.AGENDA_PUBLISHED)
    position = services.position_log(
        actor=world.member_a,
        delegation=world.delegation_a,
        agenda_item=world.item,
        text="v1",
        visibility=Visibility.SESSION,
    )

    one_statement = revise(world, position, 1)
    monkeypatch.setattr(services, "_revise_in_one_statement", services._revise_in_steps)
    in_steps = revise(world, position, 2)

    assert in_steps == one_statement
    assert one_statement["version"] == ("v1", "Same.", Visibility.SESSION, world.head_a.pk)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_revision_that_cannot_be_stored_leaves_no_trace(make_world):
    # Outside a transaction, as the API runs it: the one statement commits by itself,
    # so a row refused by the database must take the UPDATE and the others with it. A
    # summary over its column's 500 characters is refused, not cut.
    world = make_world(status=Session.Status.AGENDA_PUBLISHED)
    position = services.position_log(
        actor=world.member_a, delegation=world.delegation_a, agenda_item=world.item, text="v1"
    )
    counts = (AuditEvent.objects.count(), Event.objects.count(), PositionVersion.objects.count())

    with pytest.raises(DataError):
        services.position_revise(
            actor=world.member_a, position=position, based_on=1, summary="x" * 501
        )

    assert Position.objects.get(pk=position.pk).current_version == 1
    assert (
        AuditEvent.objects.count(),
        Event.objects.count(),
        PositionVersion.objects.count(),
    ) == counts
    # The version is still current: a good revision of it goes through.
    version = services.position_revise(
        actor=world.member_a, position=position, based_on=1, summary="x" * 500
    )
    assert PositionVersion.objects.get(pk=version.pk).summary == "x" * 500
