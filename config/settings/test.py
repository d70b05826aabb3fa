"""Test profile: embedded defaults unless the test run exports DATABASE_URL / REDIS_URL.

The SQLite test database is a file, not memory, so that a real Celery worker process started
by the tests can share it.
"""

import os
from pathlib import Path

os.environ.setdefault(
    "VAR_DIR", str(Path(__file__).resolve().parent.parent.parent / "var" / "test")
)

from .base import *  # noqa: F403

SETTINGS_PROFILE = "test"
from .env import env_str  # noqa: E402

SECRET_KEY = "test-only-not-secret-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOG_LEVEL = env_str("LOG_LEVEL", "WARNING")
LOGGING = build_logging(LOG_FORMAT, LOG_LEVEL)  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405  # type: ignore[typeddict-unknown-key]
# Tests deliver webhooks to a real receiver on 127.0.0.1.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
# Tests of admin pages sign staff in with force_login; the second factor has its own tests
# (tests/accounts/test_second_factor.py), which turn it on.
ADMIN_REQUIRE_SECOND_FACTOR = False
# Tests of other features sign people in with force_login; the privacy notice has its own
# tests (tests/accounts/test_privacy.py), which turn it on.
PRIVACY_NOTICE_REQUIRED = False
