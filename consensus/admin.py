from django.contrib import admin

from audit.admin import AuditedAdmin
from consensus.models import Point, Stance


class StanceInline(admin.TabularInline):
    model = Stance
    extra = 0
    fields = ("delegation", "stance", "note", "recorded_by")
    readonly_fields = ("recorded_by",)


@admin.register(Point)
class PointAdmin(AuditedAdmin):
    list_display = ("statement", "session", "agenda_item", "kind", "status", "carry_status")
    list_filter = ("session__dialogue", "session", "kind", "status", "carry_status")
    search_fields = ("statement", "agenda_item__title")
    list_select_related = ("session", "agenda_item")
    raw_id_fields = ("carried_from",)
    readonly_fields = ("recorded_by", "created_at", "updated_at")
    inlines = [StanceInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def prepare_inline(self, request, form, obj):
        obj.recorded_by = request.user
