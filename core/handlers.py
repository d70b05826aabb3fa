"""A shorter middleware stack for the pages that need no session, user or CSRF token.

Django runs one middleware stack for every request. The hosted transfer-check quiz (``/t/``)
is the busiest page of the platform at a national peak and reads no session, no user and no
CSRF token (its signed link authorises each step, see quizzes/check_views.py), so half of
the stack is work for nothing there. ``LeanPathsApplication`` sends requests under
``settings.LEAN_STACK_PATHS`` to a second handler whose stack is
``settings.LEAN_MIDDLEWARE`` (the security headers, CSP, locale, compression, request ids
and metrics stay), and every other request to Django's handler as before. Both handlers are
built once, when the process starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler


class LeanWSGIHandler(WSGIHandler):
    """Django's WSGI handler, its middleware chain built from ``LEAN_MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware reads settings.MIDDLEWARE; it is swapped for the time
        # of the build, at start-up, before any request is served.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.LEAN_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class LeanPathsApplication:
    """The WSGI application: lean paths to the lean handler, the rest to the full one."""

    def __init__(self, full: WSGIHandler, lean: WSGIHandler, paths: Iterable[str]) -> None:
        self.full = full
        self.lean = lean
        self.paths = tuple(paths)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        handler = self.lean if self.paths and path.startswith(self.paths) else self.full
        return handler(environ, start_response)


def lean_paths_application() -> LeanPathsApplication:
    """What ``config.wsgi`` serves (call after ``django.setup()``)."""
    return LeanPathsApplication(WSGIHandler(), LeanWSGIHandler(), settings.LEAN_STACK_PATHS)
