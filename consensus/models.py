"""Points of agreement and divergence, and each delegation's stance on them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from debates.models import AgendaItem, Delegation, Session


class Point(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        DIVERGENCE = "divergence", _("Divergence")
        PARTIAL = "partial", _("Partial")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class CarryStatus(models.TextChoices):
        NEW = "new", _("New")
        REAFFIRMED = "reaffirmed", _("Reaffirmed")
        REOPENED = "reopened", _("Reopened")
        SUPERSEDED = "superseded", _("Superseded")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="points")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    statement = models.TextField(_("statement"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_into",
        verbose_name=_("carried from"),
    )
    carry_status = models.CharField(
        _("carry status"), max_length=16, choices=CarryStatus.choices, default=CarryStatus.NEW
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_points"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "agenda_item__order", "id"]
        verbose_name = _("point")
        verbose_name_plural = _("points")
        constraints = [
            # A point carried from an earlier one says what became of it; a point that
            # continues nothing is new.
            models.CheckConstraint(
                condition=(Q(carried_from__isnull=True) & Q(carry_status="new"))
                | (Q(carried_from__isnull=False) & ~Q(carry_status="new")),
                name="point_carry_status_matches_lineage",
            ),
        ]

    def __str__(self) -> str:
        return self.statement[:80]


class Stance(models.Model):
    class Value(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        RESERVE = "reserve", _("Reserve")
        ABSTAIN = "abstain", _("Abstain")

    point = models.ForeignKey(Point, on_delete=models.CASCADE, related_name="stances")
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="stances")
    stance = models.CharField(_("stance"), max_length=16, choices=Value.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_stances"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["point", "delegation__party__code"]
        verbose_name = _("stance")
        verbose_name_plural = _("stances")
        constraints = [
            models.UniqueConstraint(fields=["point", "delegation"], name="stance_unique"),
        ]

    def __str__(self) -> str:
        return self.stance
