"""Consensus documents: the pre-session brief and the post-session report of a session.

Each build is a new version; old versions are kept. The content is one JSON document
(`schema_version` in it, see the README); every export format is rendered from it by a
worker and kept beside it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from debates.models import Session


class Report(models.Model):
    class Kind(models.TextChoices):
        PRE_SESSION_BRIEF = "pre_session_brief", _("Pre-session brief")
        POST_SESSION_REPORT = "post_session_report", _("Post-session report")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("reason of failure"), blank=True)
    content = models.JSONField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Rendered exports, format -> path in the default storage, filled by the worker.
    exports = models.JSONField(default=dict, blank=True)
    # Set on the post-session report that the session's publication made public.
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "kind", "-version"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "kind", "version"], name="report_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}: {self.session}"
