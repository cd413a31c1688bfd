"""`make run`'s embedded default (SQLite, no Redis, tasks run in the web process): the
demo loads, every event is fanned out to notifications and every audit event chained,
as a worker would do in production. Run as `make run` runs it, in a subprocess, on a
fresh SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

CHECK = """
from audit.models import AuditEvent
from audit.selectors import audit_chain_verify
from notifications.models import Event, Notification
print(
    Event.objects.count(),
    Event.objects.filter(fanned_out_at=None).count(),
    Notification.objects.count(),
    AuditEvent.objects.filter(seq=None).count(),
    audit_chain_verify()["ok"],
)
"""


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_demo_on_sqlite_tells_people_and_chains_the_trail(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env |= {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"}
    env["MEDIA_ROOT"] = str(tmp_path / "media")

    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_demo")
    events, pending, notifications, unsealed, chain_ok = manage(env, "shell", "-c", CHECK).split()[
        -5:
    ]

    assert int(events) > 0
    assert int(pending) == 0
    assert int(notifications) > 0
    assert int(unsealed) == 0
    assert chain_ok == "True"
