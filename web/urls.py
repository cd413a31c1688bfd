from django.contrib.auth import views as auth_views
from django.urls import path

from web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/agenda/", views.agenda_edit, name="agenda"),
    path("sessions/<int:pk>/transition/", views.transition, name="transition"),
    path("sessions/<int:pk>/points/", views.points_grid, name="points"),
    path("sessions/<int:pk>/reports/", views.report_request, name="report-request"),
    path(
        "sessions/<int:pk>/items/<int:item_id>/position/",
        views.position_edit,
        name="position-edit",
    ),
    path("positions/<int:pk>/history/", views.position_history, name="position-history"),
    path("delegations/<int:pk>/expectations/", views.expectations_edit, name="expectations"),
    path("reports/", views.reports_index, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/download/<str:fmt>/", views.report_export, name="report-export"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.notification_read, name="notification-read"),
]
