"""Service workers served from the path they control (a worker's scope cannot be above its
own URL): the volunteers' pages (/campaigns/sw.js) and saved courses (/courses/sw.js)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache


@cache
def _source(static_name: str) -> bytes:
    found = finders.find(static_name)
    if found:
        return Path(str(found)).read_bytes()
    with staticfiles_storage.open(static_name) as source:
        data: bytes = source.read()
        return data


def service_worker_view(static_name: str, scope: str) -> Callable[[HttpRequest], HttpResponse]:
    """A view answering the static file ``static_name`` as the service worker of ``scope``.
    Never cached, so a new version reaches phones at their next visit."""

    @never_cache
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse(_source(static_name), content_type="text/javascript")
        response["Service-Worker-Allowed"] = scope
        return response

    return view
