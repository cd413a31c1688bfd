# ruff: noqa: RUF001 - Simplified Chinese punctuation is full-width, as the catalogue has it
"""The email channel (issue 4, "Channels" and "Nothing lost"): the message a delivery
sends, in its recipient's language, and what a failing delivery records: pending with a
retry scheduled, `failed` after the last attempt, pending again after an admin's retry.

delivery_attempt runs in-process. The retry it schedules is an on_commit callback that
would enqueue a task: captured without executing, so no worker or broker is involved."""

import socket

import pytest
from django.core import mail
from django.utils import timezone

from debates import services as debates
from debates.models import Session
from notifications.models import Delivery, EventKind
from notifications.services import deliveries_retry, delivery_attempt
from tests.notifications.helpers import fan_out, last_event

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def agenda(world, settings):
    """The agenda of the world's session published, with one email delivery per person
    told; the head of A reads Simplified Chinese, everyone else English."""
    settings.EMAIL_BACKEND = LOCMEM
    world.head_a.language = "zh-hans"
    world.head_a.save()
    debates.session_transition(
        actor=world.facilitator, session=world.session, to=Session.Status.AGENDA_PUBLISHED
    )
    world.event = last_event(world.session, EventKind.AGENDA_PUBLISHED)
    fan_out(world.event)
    return world


def email_to(world, user) -> Delivery:
    return Delivery.objects.get(event=world.event, channel="email", notification__recipient=user)


def closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_email_has_a_subject_a_text_body_and_an_html_alternative(agenda):
    world = agenda
    delivery = email_to(world, world.member_a)

    assert delivery_attempt(delivery_id=delivery.pk) == Delivery.Status.SENT

    [message] = mail.outbox
    title = f"Agenda published: {world.session.title}"
    body = f"The agenda of {world.session.title} is published, with 1 items."
    assert message.to == [world.member_a.email]
    assert message.subject == f"[Trackbridge] {title}"
    assert message.extra_headers["X-Trackbridge-Event"] == str(world.event.pk)
    assert message.body.startswith(f"{title}\n\n{body}\n")
    assert "you take part in this session" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en">' in html
    assert f">{title}</h1>" in html
    assert f"<p>{body}</p>" in html
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None


def test_the_email_speaks_the_recipients_language(agenda):
    world = agenda

    delivery_attempt(delivery_id=email_to(world, world.head_a).pk)

    [message] = mail.outbox
    session = world.session.title
    assert message.to == [world.head_a.email]
    assert message.subject == f"[Trackbridge] 议程已发布：{session}"
    assert f"{session} 的议程已发布，共 1 项。" in message.body
    assert "您参与了该会议" in message.body
    [(html, _)] = message.alternatives
    assert '<html lang="zh-hans">' in html
    assert f"议程已发布：{session}</h1>" in html


def test_a_delivery_is_sent_once_however_often_it_is_attempted(agenda):
    delivery = email_to(agenda, agenda.observer)

    results = [delivery_attempt(delivery_id=delivery.pk) for _ in range(3)]

    assert results == ["sent", "skipped", "skipped"]
    assert len(mail.outbox) == 1


def test_a_failing_email_retries_later_then_fails_and_an_admins_retry_sends_it(
    agenda, settings, django_capture_on_commit_callbacks
):
    world = agenda
    settings.NOTIFY_MAX_ATTEMPTS = 2
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 2
    delivery = email_to(world, world.observer)
    sent = email_to(world, world.member_a)
    Delivery.objects.filter(pk=sent.pk).update(status=Delivery.Status.SENT)

    # Attempt 1: refused. Still pending, with a retry scheduled (the captured callback
    # would enqueue it with a countdown) for a time in the future.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert delivery_attempt(delivery_id=delivery.pk) == Delivery.Status.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert delivery.next_attempt_at > timezone.now()
    assert len(callbacks) == 1

    # Early (a twin task, the relay): not yet due, nothing tried.
    assert delivery_attempt(delivery_id=delivery.pk) == "not_due"
    delivery.refresh_from_db()
    assert delivery.attempts == 1

    # Attempt 2, once due: the last one allowed. Failed, and no retry scheduled.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert delivery_attempt(delivery_id=delivery.pk) == Delivery.Status.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert callbacks == []
    assert delivery_attempt(delivery_id=delivery.pk) == "skipped"

    # The admin's retry (the Delivery admin's action): pending again, a fresh round of
    # attempts, its task enqueued after commit. A sent delivery is left alone.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retried = deliveries_retry(
            actor=world.admin, deliveries=Delivery.objects.filter(pk__in=[delivery.pk, sent.pk])
        )
    assert retried == 1
    assert len(callbacks) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert delivery.next_attempt_at <= timezone.now()
    assert Delivery.objects.get(pk=sent.pk).status == Delivery.Status.SENT

    # The mail server is back: the retried delivery is sent.
    settings.EMAIL_BACKEND = LOCMEM
    assert delivery_attempt(delivery_id=delivery.pk) == Delivery.Status.SENT
    assert [m.to for m in mail.outbox] == [[world.observer.email]]
