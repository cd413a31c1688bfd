"""The audit trail, for admins: list it, and verify its hash chain."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditEvent
from audit.selectors import audit_chain_verify, audit_event_list
from audit.services import audit_seal
from config.api import errors
from debates import rules


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "actor",
            "actor_username",
            "action",
            "object_type",
            "object_id",
            "session_id",
            "before",
            "after",
            "created_at",
            "seq",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time, converted to UTC: PostgreSQL refuses offsets past ±15:59, which
    ISO 8601 (and Python) allow, so an offset such as +20:18 must not reach it."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError("This time is out of range.", code="overflow") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class AuditFilter(django_filters.FilterSet):
    session = django_filters.NumberFilter(field_name="session_id")
    after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "session", "after", "before"]


class AdminOnly:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not rules.is_admin(request.user):
            raise PermissionDenied("Only an admin may read the audit trail.")


@extend_schema(tags=["audit"], responses={200: AuditEventSerializer, **errors(400, 401, 403)})
class AuditEventListView(AdminOnly, generics.ListAPIView):
    serializer_class = AuditEventSerializer
    filterset_class = AuditFilter

    def get_queryset(self):
        return audit_event_list()


VerifyResult = inline_serializer(
    "AuditVerifyResult",
    {
        "ok": serializers.BooleanField(),
        "checked": serializers.IntegerField(),
        "unsealed": serializers.IntegerField(),
        "first_broken": inline_serializer(
            "AuditBrokenLink",
            {
                "id": serializers.IntegerField(),
                "action": serializers.CharField(),
                "reason": serializers.CharField(),
            },
            required=False,
        ),
    },
)


@extend_schema(tags=["audit"])
class AuditVerifyView(AdminOnly, APIView):
    @extend_schema(responses={200: VerifyResult, **errors(401, 403)})
    def get(self, request):
        """Chain the events recorded since the last seal, then walk the hash chain from
        the first event; name the first broken link."""
        audit_seal()
        return Response(audit_chain_verify())
