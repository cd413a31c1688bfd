"""The dialogue record: dialogues, parties, sessions, agendas, delegations, expectations
and positions (domain.md, "Entities"). Rules that span rows live in services.py; what a
single table can enforce is a constraint here."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Rule(models.TextChoices):
    ON_RECORD = "on_record", _("On the record")
    CHATHAM_HOUSE = "chatham_house", _("Chatham House")


class Dialogue(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Language codes of settings.LANGUAGES, e.g. ["en", "zh-hans"].
    languages = models.JSONField(_("languages"), default=list, blank=True)
    default_rule = models.CharField(
        _("default rule"), max_length=20, choices=Rule.choices, default=Rule.CHATHAM_HOUSE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")

    def __str__(self) -> str:
        return self.title


class Party(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=16)

    class Meta:
        ordering = ["dialogue", "code"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "code"], name="party_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TopicCategory(models.TextChoices):
    TECHNOLOGICAL_SAFETY = "technological_safety", _("Technological safety")
    APPLICATION_SECURITY = "application_security", _("Application security")
    BENEFICIAL_USE = "beneficial_use", _("Beneficial use")


class Topic(models.Model):
    """A node of the risk taxonomy: a category node (no parent) or a risk under it.
    Seeded by a data migration."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Simplified Chinese)"), max_length=200)
    category = models.CharField(_("category"), max_length=32, choices=TopicCategory.choices)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["category", "parent_id", "code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def localized_name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name


class Session(models.Model):
    class Track(models.TextChoices):
        TRACK_1 = "track_1", _("Track I (governmental)")
        TRACK_1_5 = "track_1_5", _("Track 1.5")
        TRACK_2 = "track_2", _("Track II (non-governmental)")

    class Format(models.TextChoices):
        BILATERAL = "bilateral", _("Bilateral")
        MULTILATERAL = "multilateral", _("Multilateral")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGENDA_PUBLISHED = "agenda_published", _("Agenda published")
        IN_PROGRESS = "in_progress", _("In progress")
        CONCLUDED = "concluded", _("Concluded")
        REPORT_PUBLISHED = "report_published", _("Report published")

    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    track = models.CharField(_("track"), max_length=16, choices=Track.choices)
    format = models.CharField(
        _("format"), max_length=16, choices=Format.choices, default=Format.BILATERAL
    )
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    builds_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="SessionLink",
        related_name="built_upon_by",
        blank=True,
        verbose_name=_("builds on"),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_sessions", blank=True
    )
    observers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="observed_sessions", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_chatham_house(self) -> bool:
        return self.rule == Rule.CHATHAM_HOUSE


class SessionLink(models.Model):
    """`session` builds on `earlier`. Same dialogue and strictly earlier start are checked
    by the session services and, on PostgreSQL, by a trigger (migration 0003)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="links_back")
    earlier = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="links_forward")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "earlier"], name="session_link_unique"),
            models.CheckConstraint(
                condition=~Q(session=F("earlier")), name="session_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} builds on {self.earlier_id}"


class AgendaItem(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="agenda_items")
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    objective = models.TextField(_("objective"), blank=True)
    urgency = models.PositiveSmallIntegerField(_("urgency"), default=3)
    minutes = models.PositiveIntegerField(_("minutes allotted"), default=30)

    class Meta:
        ordering = ["session", "order", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(
                condition=Q(urgency__gte=1, urgency__lte=5), name="agenda_item_urgency_1_5"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1), name="agenda_item_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Delegation(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="delegations")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="delegations")

    class Meta:
        ordering = ["session", "party__code"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.UniqueConstraint(fields=["session", "party"], name="delegation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.party.code} @ {self.session}"


class MemberRole(models.TextChoices):
    HEAD = "head", _("Head")
    MEMBER = "member", _("Member")
    ADVISOR = "advisor", _("Advisor")


class DelegationMember(models.Model):
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="members")
    # Copied from delegation.session so the database can refuse a person sitting in two
    # delegations of one session.
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )

    class Meta:
        ordering = ["delegation", "role", "user__username"]
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_delegation_per_session"),
            models.UniqueConstraint(
                fields=["delegation"], condition=Q(role="head"), name="one_head_per_delegation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Outcome(models.TextChoices):
    EXCHANGE_VIEWS = "exchange_views", _("Exchange of views")
    IDENTIFY_DIVERGENCE = "identify_divergence", _("Identify divergence")
    JOINT_STATEMENT = "joint_statement", _("Joint statement")
    AGREED_ACTION = "agreed_action", _("Agreed action")


class Expectation(models.Model):
    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="expectations"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="expectations"
    )
    outcome = models.CharField(_("expected outcome"), max_length=24, choices=Outcome.choices)
    importance = models.PositiveSmallIntegerField(_("importance"), default=3)

    class Meta:
        ordering = ["agenda_item__order", "delegation__party__code"]
        verbose_name = _("expectation")
        verbose_name_plural = _("expectations")
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "agenda_item"], name="expectation_unique"
            ),
            models.CheckConstraint(
                condition=Q(importance__gte=1, importance__lte=5),
                name="expectation_importance_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.importance})"


class Visibility(models.TextChoices):
    DELEGATION = "delegation", _("Own delegation only")
    SESSION = "session", _("Everyone in the session")
    PUBLIC = "public", _("Public")


class Position(models.Model):
    """A delegation's stance on one agenda item: a chain of immutable versions.

    `current_version` is the number of the latest version; a revision advances it with a
    conditional UPDATE, which is what lets only one of two concurrent revisions win."""

    # PROTECT: a delegation or agenda item with a logged position is part of the record.
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="positions")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="positions")
    current_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agenda_item__order", "delegation__party__code"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            models.UniqueConstraint(fields=["delegation", "agenda_item"], name="position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.delegation.party.code}: {self.agenda_item}"


class PositionVersion(models.Model):
    """One immutable version of a position. On PostgreSQL a trigger (migration 0003)
    refuses UPDATE and DELETE of a version."""

    # No index of its own: position_version_unique (position, number) serves every
    # lookup by position, and a second one lets the planner pick the worse of the two.
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="versions", db_index=False
    )
    number = models.PositiveIntegerField()
    text = models.TextField(_("text"))
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    red_lines = models.TextField(_("red lines"), blank=True)
    proposed_language = models.TextField(_("proposed language"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.DELEGATION
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="position_versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "number"]
        verbose_name = _("position version")
        verbose_name_plural = _("position versions")
        constraints = [
            models.UniqueConstraint(fields=["position", "number"], name="position_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="position_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"
