"""Who is signed in, typed: views behind login_required (or an authenticated DRF permission)
need a User, while ``request.user`` is typed as "a User or AnonymousUser"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from .models import User


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in account of a request that a login check has already let through.

    Anonymous requests never reach such views; if one does (a view that lost its decorator),
    it is refused rather than served as somebody.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
