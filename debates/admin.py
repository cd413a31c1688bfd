"""The Django admin is where an admin sets a dialogue up: dialogues and parties,
sessions with their agenda, delegations with their members. Position versions are the
record and stay read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from debates.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Dialogue,
    Expectation,
    Party,
    Position,
    PositionVersion,
    Session,
    SessionLink,
    Topic,
)


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


@admin.register(Dialogue)
class DialogueAdmin(AuditedAdmin):
    list_display = ("title", "default_rule", "created_at")
    list_filter = ("default_rule",)
    search_fields = ("title", "description")
    inlines = [PartyInline]


@admin.register(Party)
class PartyAdmin(AuditedAdmin):
    list_display = ("name", "code", "dialogue")
    list_filter = ("dialogue",)
    search_fields = ("name", "code")


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_zh", "category", "parent")
    list_filter = ("category",)
    search_fields = ("code", "name", "name_zh")


class DraftOnlyInline(admin.TabularInline):
    """Rows that may change only while the session is a draft (the agenda, the links
    to earlier sessions); afterwards the admin shows them read-only."""

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == Session.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class AgendaItemInline(DraftOnlyInline):
    model = AgendaItem
    extra = 0
    fields = ("order", "topic", "title", "objective", "urgency", "minutes")
    autocomplete_fields = ("topic",)


class SessionLinkInline(DraftOnlyInline):
    model = SessionLink
    fk_name = "session"
    extra = 0
    verbose_name = _("builds on")
    verbose_name_plural = _("builds on (earlier sessions of the same dialogue)")


class DelegationInline(admin.TabularInline):
    model = Delegation
    extra = 0
    show_change_link = True


@admin.register(Session)
class SessionAdmin(AuditedAdmin):
    list_display = ("title", "dialogue", "track", "rule", "status", "starts_at", "location")
    list_filter = ("dialogue", "track", "rule", "status", "format")
    search_fields = ("title", "location", "dialogue__title")
    date_hierarchy = "starts_at"
    filter_horizontal = ("facilitators", "observers")
    list_select_related = ("dialogue",)
    # The status moves only through the life cycle (the API's transition endpoint and
    # the session page), never by editing a field.
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [SessionLinkInline, AgendaItemInline, DelegationInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(AuditedAdmin):
    list_display = ("title", "session", "topic", "urgency", "order", "minutes")
    list_filter = ("session__dialogue", "session", "topic__category", "urgency")
    search_fields = ("title", "objective", "topic__name", "topic__name_zh")
    list_select_related = ("session", "topic")
    autocomplete_fields = ("topic",)


class DelegationMemberInline(admin.TabularInline):
    model = DelegationMember
    extra = 0
    fields = ("user", "role")
    autocomplete_fields = ("user",)


class ExpectationInline(admin.TabularInline):
    model = Expectation
    extra = 0


@admin.register(Delegation)
class DelegationAdmin(AuditedAdmin):
    list_display = ("party", "session")
    list_filter = ("session__dialogue", "session", "party")
    search_fields = ("party__name", "party__code", "session__title")
    list_select_related = ("party", "session")
    inlines = [DelegationMemberInline, ExpectationInline]

    def prepare_inline(self, request, form, obj):
        # The member's session is copied from its delegation: it is what lets the
        # database refuse one person in two delegations of a session.
        if isinstance(obj, DelegationMember):
            obj.session_id = form.instance.session_id


class PositionVersionInline(admin.TabularInline):
    model = PositionVersion
    extra = 0
    can_delete = False
    fields = ("number", "visibility", "summary", "text", "author", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Position)
class PositionAdmin(AuditedAdmin):
    list_display = ("__str__", "delegation", "agenda_item", "current_version", "updated_at")
    list_filter = ("delegation__session__dialogue", "delegation__session", "delegation__party")
    search_fields = ("agenda_item__title", "versions__text")
    list_select_related = ("delegation__party", "delegation__session", "agenda_item")
    readonly_fields = ("delegation", "agenda_item", "current_version", "created_at", "updated_at")
    inlines = [PositionVersionInline]

    # Positions are logged and revised by their delegation's members, never here.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
