"""GET /healthz: is each component this deployment depends on answering?"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # no broker: tasks run in the web process
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
        return "ok"
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"


def worker_status(broker: str) -> str:
    if broker == "eager":
        return "eager"  # tasks run in the web process
    if broker != "ok":
        return "unknown: no broker"
    from config.celery import app

    try:
        replies = app.control.ping(timeout=settings.HEALTHZ_WORKER_TIMEOUT)
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"
    return f"ok: {len(replies)}" if replies else "down: no worker answered"


@require_GET
def healthz(request):
    """Database, broker and worker status as JSON; 503 when any of them is down."""
    broker = broker_status()
    checks = {"database": database_status(), "broker": broker, "worker": worker_status(broker)}
    healthy = all(value == "eager" or value.startswith("ok") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
