"""API of courses saved for offline reading: what to save, and lessons finished offline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.problems import NOT_FOUND, Problem
from core.serializers import Strict, StrictCharField, StrictIdField, StrictUUIDField

from . import selectors
from .models import Course, OfflineCompletion
from .offline import offline_lesson_complete, offline_manifest


def _published(slug: str) -> Course:
    try:
        return selectors.course_outline(slug=slug)
    except Course.DoesNotExist as error:
        raise Problem(NOT_FOUND, _("There is no published course with this slug.")) from error


class OfflineManifestOutput(serializers.Serializer[Any]):
    course = serializers.SlugField()
    version = serializers.IntegerField()
    pages = serializers.ListField(child=serializers.CharField(), help_text="Page paths to keep.")
    assets = serializers.ListField(
        child=serializers.CharField(), help_text="Image and audio URLs to keep."
    )
    bytes = serializers.IntegerField(help_text="About how much the phone stores for it.")


class OfflineManifestApi(GenericAPIView[Any]):
    """What a phone keeps to read a published course without signal, and its size."""

    permission_classes = [AllowAny]
    serializer_class = OfflineManifestOutput

    @extend_schema(operation_id="courses_offline_manifest")
    def get(self, request: Request, slug: str) -> Response:
        course = _published(slug)
        manifest = offline_manifest(course=course, lessons=selectors.outline_lessons(course))
        return Response(OfflineManifestOutput(manifest).data)


class _AnswersField(serializers.DictField):
    """{"<question id>": [<option id>, …]}: the answers given on the lesson page."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.ListField(child=StrictIdField(), max_length=20), **kwargs
        )

    def to_internal_value(self, data: Any) -> dict[int, list[int]]:
        parsed = super().to_internal_value(data)
        if len(parsed) > 50:
            raise serializers.ValidationError(_("Too many questions."))
        answers: dict[int, list[int]] = {}
        for key, options in parsed.items():
            if not str(key).isdigit() or not 0 < int(key) < 2**63:
                raise serializers.ValidationError(_("Question ids are positive integers."))
            answers[int(key)] = list(options)
        return answers


class OfflineCompletionInput(Strict):
    client_uuid = StrictUUIDField(help_text="Made by the phone for this lesson; resend freely.")
    course = StrictCharField(max_length=200)
    lesson = StrictCharField(max_length=200)
    answers = _AnswersField(required=False, default=dict)
    served_token = StrictCharField(
        max_length=2000, required=False, allow_blank=True, default="", trim_whitespace=False
    )
    completed_at = serializers.DateTimeField()


class OfflineCompletionOutput(serializers.Serializer[OfflineCompletion]):
    client_uuid = serializers.UUIDField()
    lesson = serializers.CharField(source="lesson.slug")
    outcome = serializers.ChoiceField(choices=OfflineCompletion.Outcome.choices)
    correct = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField(allow_null=True)
    completed_at = serializers.DateTimeField()


class OfflineCompletionApi(GenericAPIView[Any]):
    """A lesson the signed-in learner finished offline. Idempotent by ``client_uuid``: 201
    the first time, 200 with the same answer after. ``outcome`` says whether it counted:
    ``completed``, or ``check_failed`` / ``check_unseen`` when its knowledge check was not
    passed (the learner reads it again online)."""

    permission_classes = [IsAuthenticated]
    serializer_class = OfflineCompletionInput

    @extend_schema(
        operation_id="my_offline_lesson_completion_create",
        request=OfflineCompletionInput,
        responses={201: OfflineCompletionOutput, 200: OfflineCompletionOutput},
    )
    def post(self, request: Request) -> Response:
        data = OfflineCompletionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        course = _published(values["course"])
        lesson = next(
            (item for item in selectors.outline_lessons(course) if item.slug == values["lesson"]),
            None,
        )
        if lesson is None:
            raise Problem(NOT_FOUND, _("The course has no such lesson."))
        result = offline_lesson_complete(
            user=request.user,
            client_uuid=values["client_uuid"],
            lesson=lesson,
            answers=values["answers"],
            token=values["served_token"],
            completed_at=values["completed_at"],
        )
        return Response(
            OfflineCompletionOutput(result.completion).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
