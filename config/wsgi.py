"""WSGI entry point for gunicorn: ``gunicorn config.wsgi``."""

import os

import django

# A server process never falls back to the dev profile (its secret key is public): without
# an explicit DJANGO_SETTINGS_MODULE it is production, which refuses to start unconfigured.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

django.setup(set_prefix=False)

from core.handlers import lean_paths_application  # noqa: E402  (needs the apps loaded)

# The hosted quiz (/t/) through a shorter middleware stack (core/handlers.py).
application = lean_paths_application()
