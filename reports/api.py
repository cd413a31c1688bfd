"""REST API v1 for consensus reports: request a build (202), follow it, read it, export
it in JSON, CSV, Markdown or PDF."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import errors
from debates import rules
from debates.api import precheck, visible_session
from debates.services import require_manager
from reports import selectors, services
from reports.models import Report
from reports.render import FORMATS


class ReportSerializer(serializers.ModelSerializer):
    formats = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "session",
            "kind",
            "version",
            "status",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "published_at",
            "formats",
        ]
        read_only_fields = fields

    def get_formats(self, report: Report) -> list[str]:
        return sorted(report.exports) if report.status == Report.Status.READY else []


class ReportDetailSerializer(ReportSerializer):
    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "content"]
        read_only_fields = fields


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Report.Kind.choices)


@extend_schema(tags=["reports"])
class SessionReportListView(generics.ListCreateAPIView):
    serializer_class = ReportSerializer
    queryset = Report.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self):
        session = visible_session(self.request, self.kwargs["pk"])
        return selectors.report_list(user=self.request.user, session_id=session.pk).defer("content")

    @extend_schema(responses={200: ReportSerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        """Every build of the session's brief and report, newest version first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ReportRequestSerializer,
        responses={202: ReportSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, *args, **kwargs):
        """Ask for a new build; a worker builds it. Follow `status` at /reports/{id}/."""
        session = visible_session(request, kwargs["pk"])
        precheck(require_manager, request.user, session, "build reports")
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_request(
            actor=request.user, session=session, kind=data.validated_data["kind"]
        )
        report.refresh_from_db()
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["reports"])
class ReportDetailView(generics.RetrieveAPIView):
    serializer_class = ReportDetailSerializer
    queryset = Report.objects.none()

    def get_queryset(self):
        return selectors.report_list(user=self.request.user)

    @extend_schema(responses={200: ReportDetailSerializer, **errors(401, 404)})
    def get(self, request, *args, **kwargs):
        """The report with its content (the JSON document, schema_version 1)."""
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["reports"])
class ReportExportView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=list(FORMATS),
                description="json, csv, md or pdf (default json).",
            )
        ],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, "The JSON export."),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, "The CSV export."),
            (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR, "The Markdown export."),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The PDF export."),
            **errors(400, 401, 403, 404, 409),
        },
    )
    def get(self, request: Request, pk: int):
        """Download a ready report: admins and the session's facilitators. Chatham House
        attribution rules hold in every format."""
        report = get_object_or_404(selectors.report_list(user=request.user), pk=pk)
        if not rules.can_manage(request.user, report.session):
            raise PermissionDenied("Only admins and the session's facilitators export reports.")
        stream, mime, name = services.export_file(
            report, request.query_params.get("format", "json")
        )
        return FileResponse(stream, content_type=mime, as_attachment=True, filename=name)
