"""RFC 9457 problem details for every API error, and the messages pages show for them.

Each kind of error has a stable ``type``: a URI under ``/problems/`` that also serves a short
human-readable page. Every kind is declared here, the apps' ones too, so the registry and the
pages are in one place. Services raise :class:`core.exceptions.DomainError` subclasses whose
``code`` is a slug declared here; :func:`exception_handler` answers them (and DRF's own
exceptions, and Django's 404/403/500) as ``application/problem+json``, and pages show
:func:`problem_message`. API views may raise :class:`Problem` for an HTTP-level refusal (a
missing header, a body too large); services never do.
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

from .exceptions import DomainError, InvalidInput

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
    """Declare a kind of problem once, in this module; its slug never changes."""
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
REQUEST_REFUSED = problem_type(
    "request-refused",
    _("Request refused"),
    400,
    _(
        "The request was refused for a reason that has no problem type of its own; the HTTP "
        "status and the detail member say why."
    ),
)

# --- The transfer-check API (quizzes) --------------------------------------------------------

INSUFFICIENT_SCOPE = problem_type(
    "insufficient-scope",
    _("Insufficient scope"),
    403,
    _("The API key is valid but lacks the scope this operation needs (the scope member names it)."),
)
IDEMPOTENCY_KEY_MISSING = problem_type(
    "idempotency-key-missing",
    _("Idempotency-Key header missing or invalid"),
    400,
    _(
        "Send an Idempotency-Key header of 1 to 255 visible ASCII characters, unique per "
        "transfer check (a UUID is a good choice)."
    ),
)
IDEMPOTENCY_KEY_REUSED = problem_type(
    "idempotency-key-reused",
    _("Idempotency-Key reused with another body"),
    422,
    _(
        "This Idempotency-Key was already used with a different request body. Use a new key "
        "for a new transfer check."
    ),
)
IDEMPOTENCY_KEY_IN_FLIGHT = problem_type(
    "idempotency-key-in-flight",
    _("Request with this Idempotency-Key in progress"),
    409,
    _(
        "Another request with the same Idempotency-Key is still being processed. Retry in a "
        "moment to receive its answer."
    ),
)
PAYLOAD_TOO_LARGE = problem_type(
    "payload-too-large",
    _("Request body too large"),
    413,
    _("The request body exceeds the size limit of the operation."),
)
RESOLUTION_CONFLICT = problem_type(
    "resolution-already-recorded",
    _("Resolution already recorded"),
    409,
    _(
        "A transfer check's resolution is recorded once; another value is refused. The "
        "recorded member gives the resolution on file."
    ),
)
AMOUNT_NOT_FLAGGED = problem_type(
    "amount-not-flagged",
    _("Amount needs no confirmation"),
    409,
    _(
        "Only a check whose amount is above its client's protected-funds ceiling waits for "
        "staff to confirm it; this one already counts."
    ),
)

# --- Courses (edu) ---------------------------------------------------------------------------

OFFLINE_COMPLETION_OF_ANOTHER = problem_type(
    "offline-completion-of-another",
    _("Sent by another account"),
    409,
    _(
        "This lesson finished offline was already sent, with the same client UUID, by "
        "another account. A phone makes a new UUID for every lesson it queues."
    ),
)

# --- Volunteers' field sessions (campaigns) --------------------------------------------------

NOT_IN_CAMPAIGN = problem_type(
    "not-in-campaign",
    _("Not a volunteer of this campaign"),
    403,
    _("Only volunteers assigned to a team of the campaign can log sessions for it."),
)
LOG_OF_ANOTHER = problem_type(
    "session-log-of-another-volunteer",
    _("Session log belongs to someone else"),
    409,
    _("This client_uuid was already used by another volunteer; generate a new UUID."),
)
NOT_A_COUNTY = problem_type(
    "not-a-county",
    _("Not a county"),
    400,
    _("The region code must name a county-level division from the regions list."),
)
PHOTO_REFUSED = problem_type(
    "photo-refused",
    _("Photo refused"),
    422,
    _(
        "The file is not an image we accept: not an image, damaged, an unsupported format, "
        "larger than the size limit or with too many pixels. The log itself is kept."
    ),
)
TOO_MANY_PHOTOS = problem_type(
    "too-many-photos",
    _("Too many photos"),
    422,
    _("A session log takes at most 9 photos."),
)
LOG_NOT_EDITABLE = problem_type(
    "session-log-not-editable",
    _("This session log cannot be changed"),
    409,
    _(
        "Only a log the coordinator sent back (rejected) can be corrected and sent again; "
        "this one is waiting for review or already decided."
    ),
)
REVIEW_NOT_ALLOWED = problem_type(
    "review-not-allowed",
    _("Not a coordinator of this campaign"),
    403,
    _("Coordinators review the logs of their own campaigns only."),
)
PLAN_NOT_ALLOWED = problem_type(
    "plan-not-allowed",
    _("Not allowed to plan for this volunteer"),
    403,
    _("Volunteers plan their own sessions; coordinators plan for their campaigns' volunteers."),
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

# The type of an error nothing above names, by its status alone: the same status always gets
# the same type, whatever was imported first.
_BY_STATUS: dict[int, ProblemType] = {
    kind.status: kind
    for kind in (
        NOT_AUTHENTICATED,
        PERMISSION_DENIED,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        NOT_ACCEPTABLE,
        PAYLOAD_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        RATE_LIMITED,
    )
}


class Problem(exceptions.APIException):
    """Raise from API code to answer with a registered problem type and optional members."""

    def __init__(
        self, kind: ProblemType, detail: str | Promise | None = None, **members: Any
    ) -> None:
        self.kind = kind
        self.status_code = kind.status
        self.members = members
        super().__init__(detail=str(detail or kind.title))


def problem_type_for(error: DomainError) -> ProblemType:
    """The problem type of a domain error, by its code (a test proves every code has one)."""
    return REGISTRY[error.code]


def problem_message(error: DomainError) -> str:
    """What a page tells the person when a use case refuses: the error's own sentence, else
    its problem type's title, in the active language."""
    return str(error.message or problem_type_for(error).title)


def _api_exception(error: DomainError) -> exceptions.APIException:
    """The DRF exception that answers a domain error."""
    if isinstance(error, InvalidInput):
        return exceptions.ValidationError({error.field: [str(error.message)]})
    return Problem(problem_type_for(error), error.message, **error.extra)


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
    if status_code >= 500:
        return SERVER_ERROR
    return _BY_STATUS.get(status_code, REQUEST_REFUSED)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: DRF's handling (headers such as Retry-After) in problem form.
    A domain error is answered with its problem type."""
    if isinstance(exc, DomainError):
        exc = _api_exception(exc)
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
    if isinstance(exc, exceptions.Throttled) and response.has_header("Retry-After"):
        # The very number DRF put in the header (its Throttled rounds the wait up).
        members["retry_after"] = int(response["Retry-After"])
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
    "problem_message",
    "problem_response",
    "problem_type",
    "problem_type_for",
]
