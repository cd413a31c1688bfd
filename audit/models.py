from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One change to the record. Each event's `hash` is SHA-256 over the previous event's
    hash and this event's content, so any later edit of a row breaks the chain from
    there on. An event is recorded with its change and chained a moment later by
    audit_seal, which gives it its place (`seq`) and its hashes; on PostgreSQL a trigger
    (migration 0003) refuses DELETE, and any UPDATE but that one sealing."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # the trail outlives the people in it
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    # The session the object belongs to, when it belongs to one: for filtering.
    session_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    # Set once, when the event is chained (audit_seal); empty until then.
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, null=True, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Declared here rather than with db_index/unique on the fields: on PostgreSQL
        # those add a second (pattern) index per field that no query uses.
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_hash_once")]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["action"], name="audit_action"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"
