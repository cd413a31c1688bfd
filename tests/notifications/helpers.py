"""Helpers of the notification tests: the services run in-process (no worker), and
what an event did is read back from the rows the fan-out wrote."""

from notifications.models import Channel, Delivery, Event, Notification
from notifications.services import event_fan_out


def last_event(session, kind) -> Event:
    return Event.objects.filter(session=session, kind=kind).latest("id")


def fan_out(event: Event) -> list[int]:
    return event_fan_out(event_id=event.pk)


def _role_names(world, user_ids) -> set[str]:
    by_pk = {user.pk: role for role, user in world.roles().items()}
    return {by_pk.get(pk, f"user#{pk}") for pk in user_ids}


def told(world, event: Event) -> set[str]:
    """The roles (names of world.roles()) given a notification of `event`."""
    return _role_names(
        world, Notification.objects.filter(event=event).values_list("recipient_id", flat=True)
    )


def emailed(world, event: Event) -> set[str]:
    """The roles with an email delivery of `event`."""
    return _role_names(
        world,
        Delivery.objects.filter(event=event, channel=Channel.EMAIL).values_list(
            "notification__recipient_id", flat=True
        ),
    )
