"""The volunteers' sync API. Thin views: validate, call a service, answer."""

from __future__ import annotations

import uuid
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import request_user
from core.images import DEFAULT_MAX_BYTES
from core.serializers import (
    Strict,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictDecimalField,
    StrictIdField,
    StrictIntegerField,
    StrictRegexField,
    StrictUUIDField,
)

from . import selectors, services
from .models import AUDIENCES, SessionLog, VenueType


class CanLogFieldSessions(BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return bool(request.user and request.user.has_perm("accounts.log_field_sessions"))


class PhotoOutput(serializers.Serializer[Any]):
    client_photo_id = serializers.CharField()
    status = serializers.CharField()
    error = serializers.CharField()
    thumbnail_url = serializers.CharField()


class SessionLogOutput(serializers.Serializer[Any]):
    client_uuid = serializers.UUIDField()
    campaign = serializers.IntegerField(source="campaign_id")
    county = serializers.CharField(source="county_id")
    held_on = serializers.DateField()
    venue_type = serializers.CharField()
    venue_name = serializers.CharField()
    attendees_total = serializers.IntegerField()
    status = serializers.CharField()
    review_note = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    photos = PhotoOutput(many=True)


class AttendeesInput(Strict):
    elderly = StrictIntegerField(min_value=0, max_value=100_000, default=0)
    students = StrictIntegerField(min_value=0, max_value=100_000, default=0)
    farmers = StrictIntegerField(min_value=0, max_value=100_000, default=0)
    women = StrictIntegerField(min_value=0, max_value=100_000, default=0)
    other = StrictIntegerField(min_value=0, max_value=100_000, default=0)


def _session_input(data: dict[str, Any]) -> services.SessionInput:
    return services.SessionInput(
        client_uuid=data["client_uuid"],
        campaign_id=data["campaign"],
        county_code=data["county"],
        held_on=data["held_on"],
        venue_type=data["venue_type"],
        venue_name=data["venue_name"],
        attendees={a: data["attendees"].get(a, 0) for a in AUDIENCES},
        topics=data.get("topics", ""),
        notes=data.get("notes", ""),
        gps_consent=data["gps_consent"],
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
    )


class SessionLogSyncApi(APIView):
    """Send a session log from a phone. Idempotent on ``client_uuid``.

    (Input serializers carry the operation's name: drf-spectacular names schema components
    after the class, and two nested ``Input`` classes would collide.)"""

    permission_classes = [IsAuthenticated, CanLogFieldSessions]

    class SessionLogSyncInput(Strict):
        client_uuid = StrictUUIDField(help_text="Made by the phone when the log is filled.")
        campaign = StrictIdField()
        county = StrictRegexField(r"^\d{6}$", help_text="6-digit county code")
        held_on = StrictDateField()
        venue_type = StrictChoiceField(choices=VenueType.choices)
        venue_name = StrictCharField(max_length=120)
        attendees = AttendeesInput()
        topics = StrictCharField(max_length=300, required=False, allow_blank=True)
        notes = StrictCharField(max_length=2000, required=False, allow_blank=True)
        gps_consent = StrictBooleanField(default=False)
        latitude = StrictDecimalField(
            max_digits=9,
            decimal_places=6,
            min_value=-90,
            max_value=90,
            required=False,
            allow_null=True,
        )
        longitude = StrictDecimalField(
            max_digits=9,
            decimal_places=6,
            min_value=-180,
            max_value=180,
            required=False,
            allow_null=True,
        )

    @extend_schema(
        operation_id="campaign_sessions_sync",
        request=SessionLogSyncInput,
        responses={
            201: OpenApiResponse(SessionLogOutput, description="Created."),
            200: OpenApiResponse(
                SessionLogOutput, description="Already received; the stored log, unchanged."
            ),
        },
        description=(
            "Store a session log. Send the same client_uuid any number of times: the first "
            "request creates the log (201), every later one answers 200 with the same log. "
            "Errors are problem+json: not-in-campaign (403), not-a-county (400), "
            "session-log-of-another-volunteer (409), validation-error (400)."
        ),
    )
    def post(self, request: Request) -> Response:
        body = self.SessionLogSyncInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        log, created = services.session_log_sync(
            volunteer=request_user(request), data=_session_input(data)
        )
        log = selectors.session_log_get(client_uuid=log.client_uuid)
        return Response(
            SessionLogOutput(log).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(operation_id="campaign_sessions_list", responses=SessionLogOutput(many=True))
    def get(self, request: Request) -> Response:
        logs = selectors.session_logs_of_volunteer(volunteer=request_user(request))[:200]
        return Response(SessionLogOutput(logs, many=True).data)


class SessionLogDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanLogFieldSessions]

    @extend_schema(operation_id="campaign_sessions_retrieve", responses=SessionLogOutput)
    def get(self, request: Request, client_uuid: uuid.UUID) -> Response:
        log = get_object_or_404(
            selectors.session_logs_of_volunteer(volunteer=request_user(request)),
            client_uuid=client_uuid,
        )
        return Response(SessionLogOutput(log).data)


class SessionPhotoUploadApi(APIView):
    """Attach a photo to a log already sent. Idempotent per client photo id and content."""

    permission_classes = [IsAuthenticated, CanLogFieldSessions]
    parser_classes = [MultiPartParser, FormParser]

    class SessionPhotoUploadInput(Strict):
        client_photo_id = StrictRegexField(r"^[A-Za-z0-9_.:-]{1,64}$")
        file = serializers.FileField(allow_empty_file=False)

    @extend_schema(
        operation_id="campaign_sessions_photo_upload",
        request={"multipart/form-data": SessionPhotoUploadInput},
        responses={
            201: OpenApiResponse(PhotoOutput, description="Attached; processing follows."),
            200: OpenApiResponse(PhotoOutput, description="Already attached."),
        },
        description=(
            f"Upload one photo (at most {DEFAULT_MAX_BYTES // (1024 * 1024)} MB, JPEG, PNG "
            "or WebP, at most 9 per log). Retrying the same client_photo_id, or the same "
            "bytes, attaches once. A refused file answers photo-refused (422) with a code "
            "(not_an_image, too_large, too_many_pixels, unsupported, broken); the log stays."
        ),
    )
    def post(self, request: Request, client_uuid: uuid.UUID) -> Response:
        log = get_object_or_404(SessionLog, client_uuid=client_uuid, volunteer=request.user)
        body = self.SessionPhotoUploadInput(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size > DEFAULT_MAX_BYTES:  # refused before it is read into memory
            raise services.PhotoRefused(
                _("The file is larger than %(limit)d MB.")
                % {"limit": DEFAULT_MAX_BYTES // (1024 * 1024)},
                reason="too_large",
            )
        data = upload.read()
        photo, created = services.session_photo_attach(
            log=log,
            volunteer=request_user(request),
            client_photo_id=body.validated_data["client_photo_id"],
            data=data,
        )
        return Response(
            PhotoOutput(photo).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class SessionLogResubmitApi(APIView):
    """Send a rejected log again, corrected. Idempotent on ``revision``."""

    permission_classes = [IsAuthenticated, CanLogFieldSessions]

    class SessionLogResubmitInput(SessionLogSyncApi.SessionLogSyncInput):
        client_uuid = None  # type: ignore[assignment]  # it is in the URL
        revision = StrictUUIDField(help_text="Made by the phone for each edit.")
        remove_photos = serializers.ListField(
            child=StrictRegexField(r"^[A-Za-z0-9_.:-]{1,64}$"),
            required=False,
            max_length=9,
            help_text="Client photo ids of the photos to take off the log.",
        )

    @extend_schema(
        operation_id="campaign_sessions_resubmit",
        request=SessionLogResubmitInput,
        responses={200: OpenApiResponse(SessionLogOutput, description="Back in review.")},
        description=(
            "Correct a log the coordinator rejected and send it back for review: the same "
            "log (same client_uuid) becomes pending again; photos named in remove_photos "
            "are taken off, new ones are uploaded to the photos operation afterwards. "
            "Sending the same revision again changes nothing. Errors are problem+json: "
            "session-log-not-editable (409) when the log is not rejected, permission-denied "
            "(403) for another volunteer's log, and those of the create operation."
        ),
    )
    def post(self, request: Request, client_uuid: uuid.UUID) -> Response:
        body = self.SessionLogResubmitInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = {**body.validated_data, "client_uuid": client_uuid}
        log, _changed = services.session_log_resubmit(
            volunteer=request_user(request),
            revision=data["revision"],
            data=_session_input(data),
            remove_photos=data.get("remove_photos", []),
        )
        log = selectors.session_log_get(client_uuid=log.client_uuid)
        return Response(SessionLogOutput(log).data)
