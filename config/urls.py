from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from audit import api as audit_api
from config.health import healthz
from consensus import api as consensus_api
from debates import api as debates_api
from notifications import api as notifications_api
from reports import api as reports_api

api_v1 = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("users/", accounts_api.UserListView.as_view(), name="users"),
    path("users/<int:pk>/", accounts_api.UserDetailView.as_view(), name="user"),
    path("dialogues/", debates_api.DialogueListView.as_view(), name="dialogues"),
    path("dialogues/<int:pk>/", debates_api.DialogueDetailView.as_view(), name="dialogue"),
    path("dialogues/<int:pk>/parties/", debates_api.PartyListView.as_view(), name="parties"),
    path("topics/", debates_api.TopicListView.as_view(), name="topics"),
    path("sessions/", debates_api.SessionListView.as_view(), name="sessions"),
    path("sessions/<int:pk>/", debates_api.SessionDetailView.as_view(), name="session"),
    path(
        "sessions/<int:pk>/transition/",
        debates_api.SessionTransitionView.as_view(),
        name="session-transition",
    ),
    path(
        "sessions/<int:pk>/agenda-items/",
        debates_api.AgendaItemListView.as_view(),
        name="agenda-items",
    ),
    path(
        "sessions/<int:pk>/delegations/",
        debates_api.DelegationListView.as_view(),
        name="delegations",
    ),
    path(
        "sessions/<int:pk>/consensus/",
        consensus_api.ConsensusView.as_view(),
        name="session-consensus",
    ),
    path(
        "sessions/<int:pk>/reports/",
        reports_api.SessionReportListView.as_view(),
        name="session-reports",
    ),
    path("reports/<int:pk>/", reports_api.ReportDetailView.as_view(), name="report"),
    path("reports/<int:pk>/export/", reports_api.ReportExportView.as_view(), name="report-export"),
    path("agenda-items/<int:pk>/", debates_api.AgendaItemDetailView.as_view(), name="agenda-item"),
    path("delegations/<int:pk>/", debates_api.DelegationDetailView.as_view(), name="delegation"),
    path(
        "delegations/<int:pk>/members/",
        debates_api.DelegationMemberListView.as_view(),
        name="delegation-members",
    ),
    path(
        "delegations/<int:pk>/members/<int:user_id>/",
        debates_api.DelegationMemberDetailView.as_view(),
        name="delegation-member",
    ),
    path(
        "delegations/<int:pk>/expectations/",
        debates_api.ExpectationView.as_view(),
        name="expectations",
    ),
    path("positions/", debates_api.PositionListView.as_view(), name="positions"),
    path("positions/<int:pk>/", debates_api.PositionDetailView.as_view(), name="position"),
    path(
        "positions/<int:pk>/versions/",
        debates_api.PositionVersionListView.as_view(),
        name="position-versions",
    ),
    path("points/", consensus_api.PointListView.as_view(), name="points"),
    path("points/<int:pk>/", consensus_api.PointDetailView.as_view(), name="point"),
    path(
        "points/<int:pk>/stances/<int:delegation_id>/",
        consensus_api.StanceView.as_view(),
        name="stance",
    ),
    path("notifications/", notifications_api.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/preferences/",
        notifications_api.PreferenceView.as_view(),
        name="notification-preferences",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications_api.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path("audit/", audit_api.AuditEventListView.as_view(), name="audit"),
    path("audit/verify/", audit_api.AuditVerifyView.as_view(), name="audit-verify"),
]


def api_aware_404(request, exception):
    """Under /api/, a path that matches no route answers JSON like every other 404."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


handler404 = api_aware_404

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("web.urls")),
]
