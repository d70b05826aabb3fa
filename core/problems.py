"""RFC 9457 problem details for every API error.

Each kind of error has a stable ``type``: a URI under ``/problems/`` that also serves a short
human-readable page. Apps register their own kinds with :func:`problem_type` and raise
:class:`Problem`; DRF's own exceptions and Django's 404/403/500 are translated here, so a
client only ever sees ``application/problem+json`` from ``/api/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "/problems/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str | Promise
    status: int
    description: str | Promise

    @property
    def uri(self) -> str:
        return f"{TYPE_PREFIX}{self.slug}"


REGISTRY: dict[str, ProblemType] = {}


def problem_type(
    slug: str, title: str | Promise, status: int, description: str | Promise
) -> ProblemType:
    """Declare a kind of problem once, at import time; its slug never changes."""
    kind = ProblemType(slug=slug, title=title, status=status, description=description)
    REGISTRY[slug] = kind
    return kind


VALIDATION = problem_type(
    "validation-error",
    _("Invalid request"),
    400,
    _(
        "One or more fields are missing or invalid. The errors member lists each one with a "
        "JSON pointer to the offending field."
    ),
)
MALFORMED = problem_type(
    "malformed-request",
    _("Malformed request"),
    400,
    _("The request body could not be parsed, for example because it is not valid JSON."),
)
NOT_AUTHENTICATED = problem_type(
    "not-authenticated",
    _("Authentication required"),
    401,
    _("Send valid credentials, for API clients an Authorization: Bearer header."),
)
PERMISSION_DENIED = problem_type(
    "permission-denied",
    _("Permission denied"),
    403,
    _("The credentials are valid but do not allow this operation."),
)
NOT_FOUND = problem_type(
    "not-found",
    _("Not found"),
    404,
    _("There is no such resource, or it is not visible to these credentials."),
)
METHOD_NOT_ALLOWED = problem_type(
    "method-not-allowed",
    _("Method not allowed"),
    405,
    _("This resource does not support the HTTP method used."),
)
NOT_ACCEPTABLE = problem_type(
    "not-acceptable",
    _("Not acceptable"),
    406,
    _("The API answers in JSON only."),
)
UNSUPPORTED_MEDIA_TYPE = problem_type(
    "unsupported-media-type",
    _("Unsupported media type"),
    415,
    _("Send the request body as application/json."),
)
RATE_LIMITED = problem_type(
    "rate-limited",
    _("Too many requests"),
    429,
    _(
        "The rate limit for these credentials was reached. Retry after the number of seconds "
        "given in the Retry-After header."
    ),
)
SERVER_ERROR = problem_type(
    "server-error",
    _("Internal error"),
    500,
    _("Something went wrong on our side. The request can be retried; nothing was half-saved."),
)

_BY_EXCEPTION: list[tuple[type[Exception], ProblemType]] = [
    (exceptions.ValidationError, VALIDATION),
    (exceptions.ParseError, MALFORMED),
    (exceptions.NotAuthenticated, NOT_AUTHENTICATED),
    (exceptions.AuthenticationFailed, NOT_AUTHENTICATED),
    (exceptions.PermissionDenied, PERMISSION_DENIED),
    (PermissionDenied, PERMISSION_DENIED),
    (exceptions.NotFound, NOT_FOUND),
    (Http404, NOT_FOUND),
    (exceptions.MethodNotAllowed, METHOD_NOT_ALLOWED),
    (exceptions.NotAcceptable, NOT_ACCEPTABLE),
    (exceptions.UnsupportedMediaType, UNSUPPORTED_MEDIA_TYPE),
    (exceptions.Throttled, RATE_LIMITED),
]


class Problem(exceptions.APIException):
    """Raise from API code to answer with a registered problem type and optional members."""

    def __init__(
        self, kind: ProblemType, detail: str | Promise | None = None, **members: Any
    ) -> None:
        self.kind = kind
        self.status_code = kind.status
        self.members = members
        super().__init__(detail=str(detail or kind.title))


def problem_body(
    kind: ProblemType,
    *,
    status: int | None = None,
    detail: Any = None,
    instance: str | None = None,
    **members: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind.uri,
        "title": str(kind.title),
        "status": status or kind.status,
    }
    if detail:
        body["detail"] = str(detail)
    if instance:
        body["instance"] = instance
    body.update(members)
    return body


def _pointer_errors(detail: Any, path: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Flatten DRF's nested error detail into ``{"pointer", "detail", "code"}`` items."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            sub = path if key in ("non_field_errors", "__all__") else (*path, str(key))
            out.extend(_pointer_errors(value, sub))
        return out
    if isinstance(detail, list):
        out = []
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                out.extend(_pointer_errors(item, (*path, str(index))))
            else:
                out.extend(_pointer_errors(item, path))
        return out
    pointer = "#" + "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in path)
    return [{"pointer": pointer, "detail": str(detail), "code": getattr(detail, "code", "invalid")}]


def _kind_for(exc: Exception, status_code: int) -> ProblemType:
    if isinstance(exc, Problem):
        return exc.kind
    for exc_class, kind in _BY_EXCEPTION:
        if isinstance(exc, exc_class):
            return kind
    for kind in REGISTRY.values():
        if kind.status == status_code:
            return kind
    return SERVER_ERROR


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: DRF's handling (headers such as Retry-After) in problem form."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django logs it and handler500 answers
    request = context.get("request")
    kind = _kind_for(exc, response.status_code)
    members: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        detail: Any = _("The request has invalid fields; see errors.")
        members["errors"] = _pointer_errors(exc.detail)
    else:
        detail = getattr(exc, "detail", None) or kind.title
    if isinstance(exc, Problem):
        members.update(exc.members)
    wait = getattr(exc, "wait", None)  # set by DRF's Throttled
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        members["retry_after"] = int(wait) + 1
    response.data = problem_body(
        kind,
        status=response.status_code,
        detail=detail,
        instance=request.path if request is not None else None,
        **members,
    )
    response.content_type = CONTENT_TYPE
    return response


def problem_response(request: HttpRequest, kind: ProblemType, detail: Any = None) -> JsonResponse:
    """A problem answer outside DRF (Django's error handlers, health probes)."""
    body = problem_body(kind, detail=detail or kind.title, instance=request.path)
    return JsonResponse(
        body,
        status=kind.status,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


__all__ = [
    "CONTENT_TYPE",
    "REGISTRY",
    "Problem",
    "ProblemType",
    "exception_handler",
    "problem_body",
    "problem_response",
    "problem_type",
]
