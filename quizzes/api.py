"""The transfer-check API for payment risk systems (DESIGN.md, "The transfer-check contract").

Thin views: validate strictly, call a service, shape the answer. Unknown fields are rejected
(a typo must not silently drop a hint). Every error is problem+json with a stable type.
"""

from __future__ import annotations

import re
import time
from typing import Any

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

from core.problems import NOT_FOUND, Problem, problem_type

from . import selectors, services
from .auth import ApiKeyAuthentication, ClientRateThrottle, HasScope
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
AMOUNT_RE = re.compile(r"^(0|[1-9]\d{0,11})(\.\d{1,2})?$")
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
        if not isinstance(data, str) or not AMOUNT_RE.match(data):
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
    region_code = serializers.RegexField(r"^\d{6}$", required=False)


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


class TransferCheckCreateApi(APIView):
    """Create a transfer check before a risky transfer; the answer holds the quiz link."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    required_scope = Scope.CHECKS_CREATE

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
