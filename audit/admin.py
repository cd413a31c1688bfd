"""Changes made in the Django admin enter the audit chain like any other: the mixin
records one event per saved or deleted object, inlines included, in the admin's own
transaction (changeform_view and delete_view are atomic)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models

from audit.models import AuditEvent
from audit.services import audit_record, snapshot


def session_id_of(obj: models.Model) -> int | None:
    """The session an object belongs to, for the event's session filter."""
    from debates.models import Position, Session

    if isinstance(obj, Session):
        return obj.pk
    if isinstance(obj, Position):
        return obj.delegation.session_id
    for path in ("session_id", "delegation", "point"):
        value = getattr(obj, path, None)
        if isinstance(value, int):
            return value
        if value is not None and hasattr(value, "session_id"):
            return value.session_id
    return None


def many_to_many_state(obj: models.Model) -> dict[str, list[Any]]:
    return {
        field.name: sorted(getattr(obj, field.name).values_list("pk", flat=True))
        for field in obj._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    }


def record(request, obj: models.Model, verb: str, before=None, after=None) -> None:
    audit_record(
        actor=request.user,
        action=f"{obj._meta.model_name}.admin_{verb}",
        obj=obj,
        before=before,
        after=after,
        session_id=session_id_of(obj),
    )


def stored(obj: models.Model) -> dict[str, Any] | None:
    if obj.pk is None:
        return None
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(current) if current is not None else None


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        before = stored(obj) if change else None
        if change and obj._meta.many_to_many:
            form.audit_related_before = many_to_many_state(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        record(request, obj, "change" if change else "add", before, snapshot(obj))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if obj._meta.many_to_many:
            before = getattr(form, "audit_related_before", None)
            after = many_to_many_state(obj)
            if before != after:
                record(request, obj, "change_people", before, after)

    def delete_model(self, request, obj):
        record(request, obj, "delete", snapshot(obj), None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(request, obj, "delete", snapshot(obj), None)
        super().delete_queryset(request, queryset)

    def prepare_inline(self, request, form, obj) -> None:
        """Fill what an inline row derives from its parent or the person saving."""

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record(request, obj, "delete", snapshot(obj), None)
            obj.delete()
        for obj in instances:
            before = stored(obj)
            self.prepare_inline(request, form, obj)
            obj.save()
            record(request, obj, "change" if before else "add", before, snapshot(obj))
        formset.save_m2m()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "actor_username", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_username", "action", "object_id")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    # The trail is append-only: read here, written only by audit_record.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
