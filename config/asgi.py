"""ASGI entry point, for servers that speak ASGI."""

import os

from django.core.asgi import get_asgi_application

# A server process never falls back to the dev profile (its secret key is public): without
# an explicit DJANGO_SETTINGS_MODULE it is production, which refuses to start unconfigured.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_asgi_application()
