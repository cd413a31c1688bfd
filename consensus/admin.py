from django.contrib import admin

from consensus.models import Point, Stance


class StanceInline(admin.TabularInline):
    model = Stance
    extra = 0
    fields = ("delegation", "stance", "note", "recorded_by")
    readonly_fields = ("recorded_by",)


@admin.register(Point)
class PointAdmin(admin.ModelAdmin):
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

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance.recorded_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
