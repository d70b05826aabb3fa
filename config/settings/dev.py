"""Local profile: ``make run`` and manage.py by default. Embedded parts, readable logs."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

SETTINGS_PROFILE = "dev"

DEBUG = env_bool("DJANGO_DEBUG", False)
# Only for this machine; the production profile refuses to start without a real secret.
SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY", "dev-only-not-secret-5f1c0a6e9b7d4c3a8e2f1b0c9d8e7f6a5b4c3d2e1f"
)
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = build_logging(LOG_FORMAT, LOG_LEVEL)  # noqa: F405
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Local receivers (http://127.0.0.1) are fine on this machine.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", True)
