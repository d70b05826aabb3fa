"""WSGI entry point for gunicorn: ``gunicorn config.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

# A server process never falls back to the dev profile (its secret key is public): without
# an explicit DJANGO_SETTINGS_MODULE it is production, which refuses to start unconfigured.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
