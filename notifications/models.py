"""What people are told, and how it reaches them.

An Event is the outbox row: written in the transaction of the change that caused it, so
a change is never committed without it. A worker fans it out into one Notification per
recipient (the in-app message) and one Delivery per other channel: an email per
recipient who wants it, a webhook call per endpoint of the dialogue. Unique constraints
make every step safe to run twice."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from debates.models import Delegation, Dialogue, Session


class EventKind(models.TextChoices):
    AGENDA_PUBLISHED = "agenda_published", _("Agenda published")
    POSITION_LOGGED = "position_logged", _("Position logged")
    POSITION_REVISED = "position_revised", _("Position revised")
    POINT_RECORDED = "point_recorded", _("Point recorded")
    POINT_CHANGED = "point_changed", _("Point changed")
    SESSION_CONCLUDED = "session_concluded", _("Session concluded")
    REPORT_READY = "report_ready", _("Report ready")
    REPORT_PUBLISHED = "report_published", _("Report published")
    REMINDER = "reminder", _("Position reminder")


class Event(models.Model):
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    # The delegation concerned (positions, reminders): it decides who is told.
    delegation = models.ForeignKey(
        Delegation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # What messages may say about the change, fixed when it happened (titles, version,
    # visibility): rendered per recipient and language at read or send time.
    payload = models.JSONField(default=dict)
    # Set for events that must happen once only (reminders).
    dedupe_key = models.CharField(max_length=128, null=True, blank=True)
    # Read by the relay through event_pending_fanout only: no index of its own.
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        # Declared here rather than as unique=True: on PostgreSQL that would add a second
        # (pattern) index that no query uses, to maintain on every event.
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="event_dedupe_once")]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(fanned_out_at__isnull=True),
                name="event_pending_fanout",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Notification(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The recipient's choice for this kind of event: shown in their inbox or not. The row
    # exists either way, as the record of what they were told (and for their email).
    in_app = models.BooleanField(default=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notification_once"),
        ]
        indexes = [models.Index(fields=["recipient", "-id"])]

    def __str__(self) -> str:
        return f"{self.event} -> {self.recipient_id}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class WebhookEndpoint(models.Model):
    """A URL an admin registers for a dialogue: it receives a signed JSON POST per event
    (what anyone outside the sessions may read of it)."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dialogue", "id"]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=Q(notification__isnull=False),
                name="delivery_once_per_notification",
            ),
            models.UniqueConstraint(
                fields=["event", "endpoint"],
                condition=Q(endpoint__isnull=False),
                name="delivery_once_per_endpoint",
            ),
            models.CheckConstraint(
                condition=(Q(channel="email") & Q(notification__isnull=False))
                | (Q(channel="webhook") & Q(endpoint__isnull=False)),
                name="delivery_target_matches_channel",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.status})"


class Preference(models.Model):
    """A person's channels for one kind of event. No row: in-app and email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"
