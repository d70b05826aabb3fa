"""One DRF view per transfer-check operation: create, read, resolution."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.problems import IDEMPOTENCY_KEY_MISSING, NOT_FOUND, PAYLOAD_TOO_LARGE, Problem
from core.serializers import Strict, StrictCharField, StrictChoiceField

from .. import selectors, services
from ..auth import ApiKeyAuthentication, ClientRateThrottle, HasScope, request_client
from ..models import Scope, TransferCheck
from .fast_path import transfer_check_create_fast
from .inputs import (
    IDEMPOTENCY_KEY_RE,
    MAX_BODY_BYTES,
    RETURN_URL_MAX_LENGTH,
    RiskInput,
    SubjectInput,
    TransferInput,
)


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
        return_url = StrictCharField(
            max_length=RETURN_URL_MAX_LENGTH,
            required=False,
            help_text=(
                "Where the quiz's end screens send the user back to your app. Must be exactly "
                "one of your client's registered return URLs (create_api_client "
                "--return-url), else the call is refused with return-url-not-registered "
                "(422). Part of the body, so of the idempotency check."
            ),
        )

    @extend_schema_serializer(component_name="TransferCheckCreated")
    class Output(serializers.Serializer[Any]):
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
        # IdempotencyMismatch and IdempotencyConflict answer as their problem types.
        answer = services.transfer_check_create(
            client=request_client(request),
            idempotency_key=key,
            fingerprint=services.request_fingerprint(raw),
            data=serializer.validated_data,
        )
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
        check = selectors.transfer_check_for_client(
            client=request_client(request), check_id=check_id
        )
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
        resolution = StrictChoiceField(TransferCheck.Resolution.values)

    @extend_schema(operation_id="transfer_checks_resolve", request=Input, responses={200: dict})
    def post(self, request: Request, check_id: str) -> Response:
        check = selectors.transfer_check_for_client(
            client=request_client(request), check_id=check_id
        )
        if check is None:
            raise Problem(NOT_FOUND)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        # ResolutionConflict answers resolution-already-recorded with the recorded member.
        check = services.transfer_check_resolve(
            check=check, resolution=serializer.validated_data["resolution"]
        )
        return Response(services.transfer_check_body(check), status=status.HTTP_200_OK)
