"""REST API v1 for points of agreement and divergence, stances, and consensus figures."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import errors
from consensus import selectors, services
from consensus.figures import session_figures
from consensus.models import Point, Stance
from debates import rules
from debates import selectors as debate_selectors
from debates.api import precheck, visible_session
from debates.models import Session
from debates.services import require_manager


class StanceSerializer(serializers.ModelSerializer):
    party = serializers.CharField(source="delegation.party.code", read_only=True)

    class Meta:
        model = Stance
        fields = ["delegation", "party", "stance", "note", "updated_at"]
        read_only_fields = fields


class StanceInputSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=Stance.Value.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PointSerializer(serializers.ModelSerializer):
    stances = StanceSerializer(many=True, read_only=True)
    kind = serializers.ChoiceField(choices=Point.Kind.choices)
    status = serializers.ChoiceField(choices=Point.Status.choices, required=False)
    carry_status = serializers.ChoiceField(
        choices=Point.CarryStatus.choices, required=False, allow_null=True
    )

    class Meta:
        model = Point
        fields = [
            "id",
            "session",
            "agenda_item",
            "kind",
            "statement",
            "status",
            "carried_from",
            "carry_status",
            "stances",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "stances", "recorded_by", "created_at", "updated_at"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["session"].queryset = debate_selectors.session_list(user=user)
            self.fields["agenda_item"].queryset = debate_selectors.agenda_item_list(user=user)
        # A carried point may come from a session the facilitator is not a person of;
        # the service checks that it comes from one this session builds on.
        self.fields["carried_from"].queryset = Point.objects.all()


class PointUpdateSerializer(PointSerializer):
    kind = serializers.ChoiceField(choices=Point.Kind.choices, required=False)

    class Meta(PointSerializer.Meta):
        read_only_fields = [*PointSerializer.Meta.read_only_fields, "session"]


class PointFilter(django_filters.FilterSet):
    class Meta:
        model = Point
        fields = ["session", "agenda_item", "kind", "status"]


@extend_schema(tags=["points"])
class PointListView(generics.ListCreateAPIView):
    serializer_class = PointSerializer
    filterset_class = PointFilter

    def get_queryset(self) -> QuerySet[Point]:
        return selectors.point_list(user=self.request.user)

    @extend_schema(responses={200: PointSerializer, **errors(400, 401)})
    def get(self, request, *args, **kwargs):
        # Queries: count, the page, the page's stances with their delegations' parties.
        return super().get(request, *args, **kwargs)

    @extend_schema(responses={201: PointSerializer, **errors(400, 401, 403, 409)})
    def post(self, request, *args, **kwargs):
        data = PointSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.get("carry_status") is None:
            fields.pop("carry_status", None)
        point = services.point_record(actor=request.user, **fields)
        point = selectors.point_get(user=request.user, pk=point.pk)
        return Response(PointSerializer(point).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["points"])
class PointDetailView(generics.RetrieveUpdateAPIView):
    serializer_class = PointSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Point]:
        return selectors.point_list(user=self.request.user)

    @extend_schema(responses={200: PointSerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=PointUpdateSerializer,
        responses={200: PointSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request, *args, **kwargs):
        point = self.get_object()
        precheck(require_manager, request.user, point.session, "change points")
        data = PointUpdateSerializer(point, data=request.data, partial=True, user=request.user)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "carry_status" in changes and changes["carry_status"] is None:
            del changes["carry_status"]
        services.point_update(actor=request.user, point=point, **changes)
        point = selectors.point_get(user=request.user, pk=point.pk)
        return Response(PointSerializer(point).data)


@extend_schema(tags=["points"])
class StanceView(APIView):
    @extend_schema(
        request=StanceInputSerializer,
        responses={200: StanceSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, pk: int, delegation_id: int) -> Response:
        """Record (or replace) a delegation's stance on the point: facilitators and
        admins, or that delegation's head."""
        point = get_object_or_404(selectors.point_list(user=request.user), pk=pk)
        delegation = get_object_or_404(point.session.delegations.all(), pk=delegation_id)
        if not (
            rules.can_manage(request.user, point.session) or rules.is_head(request.user, delegation)
        ):
            raise PermissionDenied(
                "Only a facilitator, an admin or this delegation's head may record its stance."
            )
        data = StanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stance = services.stance_set(
            actor=request.user, point=point, delegation=delegation, **data.validated_data
        )
        return Response(StanceSerializer(stance).data)


@extend_schema(tags=["sessions"])
class ConsensusView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT, **errors(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        """The consensus figures of domain.md for the session: per point (level and
        class), per agenda item, per pair of delegations (alignment), for the session,
        and the expectation gap; `rule` states how each is computed."""
        session: Session = visible_session(request, pk)
        return Response(session_figures(session))
