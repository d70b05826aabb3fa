"""Each settings profile, loaded in a fresh process with a chosen environment."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SHOW = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "conn_max_age": db.get("CONN_MAX_AGE"),
    "cache": settings.CACHES["default"]["BACKEND"], "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG, "language": settings.LANGUAGE_CODE,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
}))
"""

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-for-tests-only-" + "x" * 20,
    "DJANGO_ALLOWED_HOSTS": "edu.example.org",
    "METRICS_BEARER_TOKEN": "m" * 40,
}


def run(code_or_args: list[str], profile: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    clean.update(DJANGO_SETTINGS_MODULE=f"config.settings.{profile}", **env)
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_of(profile: str, **env: str) -> dict:
    done = run(["-c", SHOW], profile, **env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_with_no_environment_the_platform_uses_embedded_parts():
    shown = settings_of("dev")

    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["name"].endswith("db.sqlite3")
    assert shown["cache"].endswith("FileBasedCache")
    assert shown["broker"].startswith("filesystem://")
    assert shown["debug"] is False
    assert shown["language"] == "zh-hans"


def test_database_url_selects_postgresql_with_persistent_connections():
    shown = settings_of("dev", DATABASE_URL="postgres://app:pw@db.internal:5432/anquan")

    assert shown["engine"] == "django.db.backends.postgresql"
    assert shown["name"] == "anquan"
    assert shown["conn_max_age"] == 60


def test_redis_url_moves_cache_and_broker_to_redis():
    shown = settings_of("dev", REDIS_URL="redis://cache.internal:6379/0")

    assert shown["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert shown["broker"] == "redis://cache.internal:6379/0"


def test_production_refuses_to_start_without_a_secret_key():
    done = run(["-c", SHOW], "production", DJANGO_ALLOWED_HOSTS="edu.example.org")

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in done.stderr


def test_production_profile_passes_the_deployment_checklist_with_no_warnings():
    done = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        "production",
        **PRODUCTION_ENV,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert settings_of("production", **PRODUCTION_ENV)["session_cookie_secure"] is True


def test_a_malformed_boolean_is_a_clear_configuration_error():
    done = run(["-c", SHOW], "dev", DJANGO_DEBUG="perhaps")

    assert done.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in done.stderr


def test_the_deployment_checklist_fails_in_production_without_a_metrics_token():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "METRICS_BEARER_TOKEN"}

    done = run(["manage.py", "check", "--deploy"], "production", **env)

    assert done.returncode != 0
    assert "core.E020" in done.stderr and "METRICS_BEARER_TOKEN" in done.stderr


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi", "config.celery"])
def test_a_server_process_without_a_profile_starts_as_production_never_as_dev(module):
    # Given no DJANGO_SETTINGS_MODULE and no secret key in the environment
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}

    # When the process's entry point is imported (gunicorn, uvicorn, celery -A config)
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}; import django.conf as c; c.settings.SECRET_KEY"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # Then it is the production profile, which refuses to start without its secret
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in done.stderr
