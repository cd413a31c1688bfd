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


@require_GET
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value in ("ok", "eager") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
