"""The settings file reads the environment; these run it in a fresh interpreter, as a
deployment would."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(extra_env)
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_check({"DEBUG": "0"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist_without_warnings():
    result = run_check(
        {
            "DEBUG": "0",
            "SECRET_KEY": "k" * 20 + "-production-secret-" + "x" * 30,
            "ALLOWED_HOSTS": "trackbridge.example.org",
        },
        "--deploy",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_statements_are_prepared_after_five_runs_unless_turned_off():
    def prepare_threshold(extra: dict[str, str]) -> str:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_PREPARE_THRESHOLD"}
        env |= {"DEBUG": "1", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x", **extra}
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
                "django.setup(); from django.conf import settings; "
                "print(settings.DATABASES['default']['OPTIONS']['prepare_threshold'])",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    assert prepare_threshold({}) == "5"
    assert prepare_threshold({"DATABASE_PREPARE_THRESHOLD": "0"}) == "None"
