"""Session authentication for the browser-facing APIs that answers a missing sign-in honestly.

DRF answers ``NotAuthenticated`` with 403 when the authentication class names no
``WWW-Authenticate`` challenge, which its SessionAuthentication does not. Our problem type
for it is ``not-authenticated`` (401), so the status and the type disagreed. Naming the
challenge (the sign-in page) makes DRF answer 401, as RFC 9110 asks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.shortcuts import resolve_url
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication
from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate_header(self, request: Request) -> str:
        return f'Session realm="{resolve_url(settings.LOGIN_URL)}"'


class SessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Documents the session cookie in the OpenAPI schema, as drf-spectacular does for DRF's
    own class (``cookieAuth``)."""

    target_class = "core.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
