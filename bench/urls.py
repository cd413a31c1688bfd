"""The application's URLs, plus the baselines of the benchmark under /bench/."""

from django.urls import path

from bench import views
from config.urls import handler404  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("bench/revise/<int:pk>/", views.bare_revise, name="bench-revise"),
    path("bench/positions/", views.bare_positions, name="bench-positions"),
    path("bench/stances.csv", views.stances_csv, name="bench-stances-csv"),
    *app_urlpatterns,
]
