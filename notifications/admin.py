from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from notifications import services
from notifications.models import Delivery, Event, Notification, Preference, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    list_display = ("url", "dialogue", "active", "created_at")
    list_filter = ("dialogue", "active")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "status", "attempts", "next_attempt_at", "sent_at", "event")
    list_filter = ("status", "channel")
    search_fields = ("last_error",)
    list_select_related = ("event",)
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry the selected deliveries"))
    def retry(self, request, queryset):
        count = services.deliveries_retry(actor=request.user, deliveries=queryset)
        self.message_user(request, _("%d deliveries queued again.") % count, messages.SUCCESS)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "session", "created_at", "fanned_out_at")
    list_filter = ("kind",)
    list_select_related = ("session",)
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "event", "in_app", "created_at", "read_at")
    list_select_related = ("recipient", "event")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Preference)
class PreferenceAdmin(AuditedAdmin):
    list_display = ("user", "kind", "in_app", "email")
    list_filter = ("kind",)
