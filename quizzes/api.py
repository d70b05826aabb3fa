"""The transfer-check API for payment risk systems (DESIGN.md, "The transfer-check contract").

Thin views: validate strictly, call a service, shape the answer. Unknown fields are rejected
(a typo must not silently drop a hint). Every error is problem+json with a stable type.
"""

from __future__ import annotations

import functools
import json
import math
import re
import time
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.problems import NOT_FOUND, Problem, ProblemType, problem_response, problem_type

from . import selectors, services
from .auth import ApiKeyAuthentication, ClientRateThrottle, HasScope, rate_limit_wait
from .models import Scope, TransferCheck

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

MAX_BODY_BYTES = 8 * 1024
IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
AMOUNT_RE = re.compile(r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$")
# ISO 4217 codes a Chinese payment platform transfers in.
CURRENCIES = ["CNY", "HKD", "MOP", "TWD", "USD", "EUR", "GBP", "JPY", "KRW", "SGD", "AUD"]

_scam_type_codes: tuple[float, frozenset[str]] = (0.0, frozenset())


def scam_type_codes() -> frozenset[str]:
    """Known scam-type codes, re-read at most once a minute (editors add types rarely)."""
    global _scam_type_codes
    loaded_at, codes = _scam_type_codes
    if time.monotonic() - loaded_at > 60 or not codes:
        codes = frozenset(selectors.scam_types_all().values_list("code", flat=True))
        _scam_type_codes = (time.monotonic(), codes)
    return codes


class Strict(serializers.Serializer):
    """A serializer that rejects fields it does not know."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": AMOUNT_RE.pattern, "example": "5000.00"})
class AmountField(serializers.Field):
    default_error_messages = {
        "invalid": _('Give the amount as a decimal string such as "5000.00".'),
        "positive": _("The amount must be greater than zero."),
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or not AMOUNT_RE.fullmatch(data):
            self.fail("invalid")
        if float(data) <= 0:
            self.fail("positive")
        return data

    def to_representation(self, value: Any) -> str:
        return str(value)


class ScamTypeField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in scam_type_codes():
            raise serializers.ValidationError(_("Unknown scam type %s.") % value)
        return value


@extend_schema_serializer(component_name="TransferCheckSubject")
class SubjectInput(Strict):
    ref = serializers.RegexField(
        r"^[A-Za-z0-9._:\-]{1,64}$",
        help_text="Pseudonymous subject reference; never a name or phone number.",
    )
    age_band = serializers.ChoiceField(TransferCheck.AgeBand.values, required=False)
    locale = serializers.ChoiceField(["zh-hans", "en"], required=False)
    region_code = serializers.RegexField(r"^[0-9]{6}$", required=False)


@extend_schema_serializer(component_name="TransferCheckTransfer")
class TransferInput(Strict):
    amount = AmountField()
    currency = serializers.ChoiceField(CURRENCIES)
    channel = serializers.ChoiceField(TransferCheck.Channel.values, required=False)
    payee_type = serializers.ChoiceField(TransferCheck.PayeeType.values, required=False)


@extend_schema_serializer(component_name="TransferCheckRisk")
class RiskInput(Strict):
    score = serializers.FloatField(min_value=0, max_value=1, required=False)
    scam_types = serializers.ListField(
        child=ScamTypeField(max_length=40), max_length=5, required=False
    )
    reasons = serializers.ListField(
        child=serializers.RegexField(r"^[a-z0-9_]{1,40}$"), max_length=10, required=False
    )


# --- The create call's fast path ------------------------------------------------------------
#
# A risk system calls create inside its ~100 ms decision budget, many times a second. DRF's
# request wrapping and nested serializers cost more CPU than everything else on that path, so
# a plainly valid request (known client with the scope, valid key, body and rate) is handled
# by a plain function; ANY other request goes through the DRF view below, whose serializers
# explain what is wrong and which documents the operation. The fast validator accepts only
# what the serializers accept and yields the same data (tests/quizzes/test_fast_path.py).

_SUBJECT_KEYS = frozenset({"ref", "age_band", "locale", "region_code"})
_TRANSFER_KEYS = frozenset({"amount", "currency", "channel", "payee_type"})
_RISK_KEYS = frozenset({"score", "scam_types", "reasons"})
_REF_RE = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_REGION_RE = re.compile(r"[0-9]{6}")
_REASON_RE = re.compile(r"[a-z0-9_]{1,40}")
_AGE_BANDS = frozenset(TransferCheck.AgeBand.values)
_LOCALES = frozenset({"zh-hans", "en"})
_CHANNELS = frozenset(TransferCheck.Channel.values)
_PAYEE_TYPES = frozenset(TransferCheck.PayeeType.values)
_CURRENCIES = frozenset(CURRENCIES)


def _optional_choice(
    source: dict[str, Any], target: dict[str, Any], name: str, allowed: frozenset[str]
) -> bool:
    if name not in source:
        return True
    value = source[name]
    if type(value) is not str or value not in allowed:
        return False
    target[name] = value
    return True


def transfer_check_input_fast(data: Any) -> dict[str, Any] | None:
    """The create body's validated data if it is plainly valid, else None (then the
    serializers decide, and explain). Never accepts what the serializers refuse."""
    if type(data) is not dict or not data.keys() <= {"subject", "transfer", "risk"}:
        return None
    subject, transfer = data.get("subject"), data.get("transfer")
    if type(subject) is not dict or not subject.keys() <= _SUBJECT_KEYS:
        return None
    if type(transfer) is not dict or not transfer.keys() <= _TRANSFER_KEYS:
        return None
    ref = subject.get("ref")
    if type(ref) is not str or not _REF_RE.fullmatch(ref):
        return None
    subject_out: dict[str, Any] = {"ref": ref}
    if not (
        _optional_choice(subject, subject_out, "age_band", _AGE_BANDS)
        and _optional_choice(subject, subject_out, "locale", _LOCALES)
    ):
        return None
    if "region_code" in subject:
        region = subject["region_code"]
        if type(region) is not str or not _REGION_RE.fullmatch(region):
            return None
        subject_out["region_code"] = region
    amount, currency = transfer.get("amount"), transfer.get("currency")
    if type(amount) is not str or not AMOUNT_RE.fullmatch(amount) or float(amount) <= 0:
        return None
    if type(currency) is not str or currency not in _CURRENCIES:
        return None
    transfer_out: dict[str, Any] = {"amount": amount, "currency": currency}
    if not (
        _optional_choice(transfer, transfer_out, "channel", _CHANNELS)
        and _optional_choice(transfer, transfer_out, "payee_type", _PAYEE_TYPES)
    ):
        return None
    out: dict[str, Any] = {"subject": subject_out, "transfer": transfer_out}
    if "risk" not in data:
        return out
    risk = data["risk"]
    if type(risk) is not dict or not risk.keys() <= _RISK_KEYS:
        return None
    risk_out: dict[str, Any] = {}
    if "score" in risk:
        score = risk["score"]
        if type(score) not in (int, float) or not (0 <= score <= 1) or math.isnan(score):
            return None
        risk_out["score"] = float(score)
    codes = scam_type_codes()
    for name, most, fits in (
        ("scam_types", 5, lambda t: len(t) <= 40 and t in codes),
        ("reasons", 10, _REASON_RE.fullmatch),
    ):
        if name in risk:
            items = risk[name]
            if type(items) is not list or len(items) > most:
                return None
            if any(type(item) is not str or not fits(item) for item in items):
                return None
            risk_out[name] = list(items)
    out["risk"] = risk_out
    return out


def _json_response(body: dict[str, Any], status: int) -> HttpResponse:
    # The same bytes DRF's renderer writes (compact, UTF-8), and its Allow header.
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )
    response["Allow"] = "POST, OPTIONS"
    return response


def _problem(request: HttpRequest, kind: ProblemType) -> HttpResponse:
    response = problem_response(request, kind)
    response["Allow"] = "POST, OPTIONS"
    return response


def transfer_check_create_fast(request: HttpRequest) -> HttpResponse | None:
    """Answer a plainly valid create call; None hands the request to the DRF view."""
    if request.method != "POST" or request.content_type != "application/json":
        return None
    if request.content_params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        return None
    scheme, _sep, api_key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not api_key or " " in api_key:
        return None
    client = services.api_client_authenticate(api_key)
    if client is None or not client.has_scope(Scope.CHECKS_CREATE):
        return None
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    if not IDEMPOTENCY_KEY_RE.match(key):
        return None
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return None
    try:
        raw = json.loads(request.body, parse_constant=_refuse_constant)
    except ValueError:
        return None
    data = transfer_check_input_fast(raw)
    if data is None or rate_limit_wait(client) is not None:
        return None
    try:
        answer = services.transfer_check_create(
            client=client,
            idempotency_key=key,
            fingerprint=services.request_fingerprint(raw),
            data=data,
        )
    except services.IdempotencyMismatch:
        return _problem(request, IDEMPOTENCY_KEY_REUSED)
    except services.IdempotencyConflict:
        return _problem(request, IDEMPOTENCY_KEY_IN_FLIGHT)
    response = _json_response(answer.body, answer.status)
    response["Location"] = f"/api/v1/transfer-checks/{answer.body.get('id')}"
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class TransferCheckCreateApi(APIView):
    """Create a transfer check before a risky transfer; the answer holds the quiz link."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    required_scope = Scope.CHECKS_CREATE

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        """The DRF view behind the fast path (see transfer_check_create_fast)."""
        drf_view = super().as_view(**initkwargs)

        @functools.wraps(drf_view)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return transfer_check_create_fast(request) or drf_view(request, *args, **kwargs)

        return view

    @extend_schema_serializer(component_name="TransferCheckCreate")
    class Input(Strict):
        subject = SubjectInput()
        transfer = TransferInput()
        risk = RiskInput(required=False)

    @extend_schema_serializer(component_name="TransferCheckCreated")
    class Output(serializers.Serializer):
        id = serializers.UUIDField()
        status = serializers.CharField()
        quiz_url = serializers.URLField()
        expires_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="transfer_checks_create",
        request=Input,
        responses={201: Output},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location="header",
                required=True,
                description="Unique per check; kept 24 hours.",
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key", "")
        if not IDEMPOTENCY_KEY_RE.match(key):
            raise Problem(IDEMPOTENCY_KEY_MISSING)
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            raise Problem(PAYLOAD_TOO_LARGE, limit=MAX_BODY_BYTES)
        raw = request.data
        serializer = self.Input(data=raw)
        serializer.is_valid(raise_exception=True)
        try:
            answer = services.transfer_check_create(
                client=request.user,
                idempotency_key=key,
                fingerprint=services.request_fingerprint(raw),
                data=serializer.validated_data,
            )
        except services.IdempotencyMismatch:
            raise Problem(IDEMPOTENCY_KEY_REUSED) from None
        except services.IdempotencyConflict:
            raise Problem(IDEMPOTENCY_KEY_IN_FLIGHT) from None
        headers = {"Location": f"/api/v1/transfer-checks/{answer.body.get('id')}"}
        if answer.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(answer.body, status=answer.status, headers=headers)


class TransferCheckDetailApi(APIView):
    """A check's status, outcome, score and timestamps (for pollers)."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    required_scope = Scope.CHECKS_READ

    @extend_schema(operation_id="transfer_checks_retrieve", responses={200: dict})
    def get(self, request: Request, check_id: str) -> Response:
        check = selectors.transfer_check_for_client(client=request.user, check_id=check_id)
        if check is None:
            raise Problem(NOT_FOUND)
        check = services.transfer_check_finish_if_overdue(check)
        return Response(services.transfer_check_body(check))


class TransferCheckResolutionApi(APIView):
    """Report the real fate of the transfer, once."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    required_scope = Scope.CHECKS_RESOLVE

    @extend_schema_serializer(component_name="TransferCheckResolution")
    class Input(Strict):
        resolution = serializers.ChoiceField(TransferCheck.Resolution.values)

    @extend_schema(operation_id="transfer_checks_resolve", request=Input, responses={200: dict})
    def post(self, request: Request, check_id: str) -> Response:
        check = selectors.transfer_check_for_client(client=request.user, check_id=check_id)
        if check is None:
            raise Problem(NOT_FOUND)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            check = services.transfer_check_resolve(
                check=check, resolution=serializer.validated_data["resolution"]
            )
        except services.ResolutionConflict as conflict:
            raise Problem(RESOLUTION_CONFLICT, recorded=conflict.recorded) from None
        return Response(services.transfer_check_body(check), status=status.HTTP_200_OK)
