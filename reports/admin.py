from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from reports import services
from reports.models import Report
from reports.render import FORMATS


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "session", "kind", "version", "status", "finished_at", "downloads")
    list_filter = ("kind", "status", "session__dialogue", "session")
    list_select_related = ("session",)
    exclude = ("content", "exports")
    readonly_fields = [
        "session",
        "kind",
        "version",
        "status",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "published_at",
        "downloads",
    ]
    actions = ["rebuild"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("Download"))
    def downloads(self, report):
        if report.status != Report.Status.READY:
            return "-"
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse("admin:reports_report_export", args=[report.pk, fmt]), fmt.upper())
                for fmt in FORMATS
                if fmt in report.exports
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="reports_report_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, pk, fmt):
        from django.http import FileResponse

        report = Report.objects.get(pk=pk)
        try:
            stream, mime, name = services.export_file(report, fmt)
        except Exception as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        return FileResponse(stream, content_type=mime, as_attachment=True, filename=name)

    @admin.action(description=_("Build a new version of the selected reports"))
    def rebuild(self, request, queryset):
        built = 0
        for report in queryset:
            try:
                services.report_rebuild(actor=request.user, report=report)
                built += 1
            except Exception as exc:
                self.message_user(request, f"{report}: {exc}", messages.WARNING)
        if built:
            self.message_user(request, _("%d builds requested.") % built, messages.SUCCESS)
