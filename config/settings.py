"""Trackbridge settings: one file, read from the environment.

With nothing set, it runs on a SQLite file in the project folder with Celery tasks run
eagerly, which is what `make run` needs. Production sets DATABASE_URL, REDIS_URL,
SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS (see the README for the full list).
"""

import secrets
import warnings
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key() -> str:
    # A key generated once per checkout and kept beside it, so that sign-ins survive a
    # restart of `make run`. Never used when DEBUG is off.
    path = BASE_DIR / ".dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "accounts",
    "debates",
    "consensus",
    "audit",
    "notifications",
    "reports",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.api.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.context_processors.header",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP queries: JIT compiling the visibility subqueries costs more than it saves.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Parameters bound by the server, and a statement run five times on a connection
    # prepared there: the planner's work on the ORM's joins and subqueries (often more
    # than running them) is then done once per connection instead of once per request.
    # 0 turns preparing off, for a pooler in transaction mode that cannot carry
    # prepared statements between clients.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        env.int("DATABASE_PREPARE_THRESHOLD", default=5) or None
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Before the first collectstatic (development, tests) WhiteNoise finds no STATIC_ROOT;
# runserver serves static files itself then.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# Email: EMAIL_URL such as smtp+tls://user:password@mail.example.org:587; the console
# backend when unset, so that `make run` prints what it would send.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Trackbridge <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no REDIS_URL, tasks run eagerly in the web process (the embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task not acknowledged within this time is handed to another worker; every task is
# far shorter, and no ETA or countdown may exceed it.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Fail fast when Redis is down: the change is committed with its outbox row, and
    # the relay hands it to the broker once it is back.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
# Report builds (seconds to minutes) get their own queue, so that notifications never
# wait behind a PDF. `celery -A config worker -Q celery,reports` consumes both.
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": "reports"}}
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {
        "task": "notifications.tasks.outbox_relay",
        "schedule": env.float("NOTIFY_RELAY_EVERY_SECONDS", default=15.0),
    },
    "reports-relay": {
        "task": "reports.tasks.reports_relay",
        "schedule": env.float("NOTIFY_RELAY_EVERY_SECONDS", default=15.0),
    },
    "reminders": {
        "task": "notifications.tasks.reminders_send",
        "schedule": env.float("NOTIFY_REMINDERS_EVERY_SECONDS", default=600.0),
    },
}

# Notifications: attempts per delivery before it is marked failed, and the backoff
# between them (seconds; doubled each time, jittered, capped below the visibility
# timeout so that no countdown outlives it).
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=6)
NOTIFY_RETRY_BASE_SECONDS = env.float("NOTIFY_RETRY_BASE_SECONDS", default=30.0)
NOTIFY_RETRY_MAX_SECONDS = min(
    env.float("NOTIFY_RETRY_MAX_SECONDS", default=1800.0), CELERY_VISIBILITY_TIMEOUT / 2
)
NOTIFY_RELAY_GRACE_SECONDS = env.float("NOTIFY_RELAY_GRACE_SECONDS", default=10.0)
NOTIFY_WEBHOOK_TIMEOUT = env.float("NOTIFY_WEBHOOK_TIMEOUT", default=10.0)
# A report build running longer than this is taken for dead (its worker lost) and
# handed to another worker.
REPORT_BUILD_TIMEOUT_SECONDS = env.int("REPORT_BUILD_TIMEOUT_SECONDS", default=1800)
# How long /healthz waits for a worker to answer a ping.
HEALTHZ_WORKER_TIMEOUT = env.float("HEALTHZ_WORKER_TIMEOUT", default=1.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "DEFAULT_THROTTLE_CLASSES": ["config.throttles.WriteThrottle"],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `?format=` belongs to the report export (json, csv, md, pdf), not to DRF.
    "URL_FORMAT_OVERRIDE": None,
}
# Throttle rates ("N/second|minute|hour|day"), read on every request so they can change.
API_THROTTLE_RATES = {
    "signin": env.str("THROTTLE_SIGNIN", default="20/minute"),
    "writes": env.str("THROTTLE_WRITES", default="1200/minute"),
}
# Request bodies over this many bytes are refused with 413.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

# The cache holds throttle counters; Redis when there is one, so that every gunicorn
# worker counts together.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that drops connections silently must not hang requests.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Trackbridge API",
    "DESCRIPTION": "The system of record for multi-track diplomacy.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "debates.models.Session.Status",
        "PointStatusEnum": "consensus.models.Point.Status",
        "RuleEnum": "debates.models.Rule",
        "LanguageEnum": [code for code, _ in LANGUAGES],
        "PointKindEnum": "consensus.models.Point.Kind",
        "EventKindEnum": "notifications.models.EventKind",
        "ReportKindEnum": "reports.models.Report.Kind",
        "ReportStatusEnum": "reports.models.Report.Status",
    },
}

# Security. With DEBUG off these are on unless the environment turns them off (a
# deployment behind a TLS-terminating proxy keeps them on and sets the proxy header).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The health check is probed over plain HTTP from inside the deployment.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # PDF rendering narrates every step and every font it subsets at INFO.
    "loggers": {
        name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "fontTools.subset")
    },
}
