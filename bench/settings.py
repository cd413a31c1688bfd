"""The application's settings, plus the bench-only views (bench/urls.py) when BENCH=1.

Used only by the benchmark (DJANGO_SETTINGS_MODULE=bench.settings): without BENCH=1 it
is exactly config.settings."""

import os

from config.settings import *  # noqa: F403

if os.environ.get("BENCH") == "1":
    ROOT_URLCONF = "bench.urls"
