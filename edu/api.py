"""Read-only API for apps: the course catalogue, and a learner's own progress.

Texts come in the language of the request (``Accept-Language``, zh-hans when absent),
falling back to Simplified Chinese where a translation is missing."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.problems import NOT_FOUND, Problem
from core.serializers import PAGE_PARAMS, Strict, StrictCharField, StrictChoiceField
from quizzes.selectors import audience_choices

from . import selectors
from .certificates import verification_url
from .models import Certificate, Course, Lesson, Localized, Module, Topic
from .rendering import markdown_to_safe_html


def _lang() -> str:
    return get_language() or "zh-hans"


@extend_schema_field(OpenApiTypes.STR)
class LocalizedField(serializers.Field[Localized, Any, str, Any]):
    """``title`` → the ``title_zh``/``title_en`` pair in the request's language."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        self.text_name = name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Localized) -> str:
        return value.text(self.text_name, _lang())


@extend_schema_field(
    {
        "type": "string",
        "anyOf": [{"format": "uri"}, {"enum": [""]}],
        "description": 'a link to the lesson\'s video; "" when it has none',
    }
)
class VideoUrlField(serializers.CharField):
    """A URL, or "" for a lesson without a video (the schema's plain ``uri`` said the
    empty string could not occur)."""


class LessonOutput(serializers.Serializer[Lesson]):
    slug = serializers.SlugField()
    title = LocalizedField("title")
    minutes = serializers.IntegerField()
    video_url = VideoUrlField()
    has_check = serializers.BooleanField()


class LessonWithBodyOutput(LessonOutput):
    body_html = serializers.SerializerMethodField(
        help_text="The lesson text as sanitised HTML (no script, no event handlers)."
    )

    def get_body_html(self, lesson: Any) -> str:
        return markdown_to_safe_html(lesson.text("body", _lang()))


class ModuleOutput(serializers.Serializer[Module]):
    title = LocalizedField("title")
    lessons = LessonOutput(many=True, source="lessons.all")


class ModuleWithBodiesOutput(ModuleOutput):
    lessons = LessonWithBodyOutput(many=True, source="lessons.all")


class CourseOutput(serializers.Serializer[Course]):
    slug = serializers.SlugField()
    topic = serializers.ChoiceField(choices=Topic.choices)
    audiences = serializers.ListField(child=serializers.CharField())
    scam_types = serializers.ListField(child=serializers.CharField())
    title = LocalizedField("title")
    summary = LocalizedField("summary")
    version = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    modules = ModuleOutput(many=True, source="modules.all")

    def get_url(self, course: Course) -> str:
        request: Request = self.context["request"]
        return request.build_absolute_uri(reverse("edu:course", args=[course.slug]))


class CourseDetailOutput(CourseOutput):
    modules = ModuleWithBodiesOutput(many=True, source="modules.all")


class CourseListApi(ListAPIView[Course]):
    """Published courses with their modules and lessons (public, read-only)."""

    permission_classes = [AllowAny]
    serializer_class = CourseOutput

    class FilterInput(Strict):
        also_accepted = PAGE_PARAMS
        topic = StrictChoiceField(choices=Topic.choices, required=False)
        audience = StrictCharField(required=False, max_length=40)
        search = StrictCharField(required=False, max_length=100)

        def validate_audience(self, value: str) -> str:
            if value not in dict(audience_choices()):
                raise serializers.ValidationError(_("Unknown audience."))
            return value

    @extend_schema(
        operation_id="courses_list",
        parameters=[
            OpenApiParameter("topic", enum=Topic.values),
            OpenApiParameter("audience", description="an audience code: elderly, students, …"),
            OpenApiParameter("search", description="words in titles or lesson text"),
        ],
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Course]:
        filters = self.FilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.courses_with_outline(
            selectors.course_catalogue(
                topic=data.get("topic", ""),
                audience=data.get("audience", ""),
                query=data.get("search", ""),
            )
        )


class CourseDetailApi(GenericAPIView[Course]):
    """One published course with its modules and lessons, lesson texts included."""

    permission_classes = [AllowAny]
    serializer_class = CourseDetailOutput

    @extend_schema(operation_id="courses_retrieve")
    def get(self, request: Request, slug: str) -> Response:
        try:
            course = selectors.course_outline(slug=slug)
        except Course.DoesNotExist as error:
            raise Problem(NOT_FOUND, _("There is no published course with this slug.")) from error
        return Response(CourseDetailOutput(course, context={"request": request}).data)


class MyCourseProgressApi(GenericAPIView[Any]):
    """The signed-in learner's own progress, one entry per course they started. A learner
    sees only their own."""

    permission_classes = [IsAuthenticated]
    # One entry per course started, never many: the answer is a plain list, not a page.
    pagination_class = None

    class CertificateOutput(serializers.Serializer[Certificate]):
        serial = serializers.CharField()
        valid = serializers.BooleanField(source="is_valid")
        issued_at = serializers.DateTimeField()
        verification_url = serializers.SerializerMethodField()

        def get_verification_url(self, certificate: Any) -> str:
            return verification_url(certificate)

    class Output(serializers.Serializer[Any]):  # many=True over a list of CourseProgress
        course = serializers.SlugField(source="course.slug")
        title = serializers.SerializerMethodField()
        lessons_done = serializers.IntegerField(source="done")
        lessons_total = serializers.IntegerField(source="total")
        percent = serializers.IntegerField()
        completed_at = serializers.DateTimeField(allow_null=True)
        last_lesson = serializers.SlugField(source="last_lesson.slug", allow_null=True)
        certificate = serializers.SerializerMethodField()

        def get_title(self, progress: selectors.CourseProgress) -> str:
            return progress.course.text("title", _lang())

        @extend_schema_field({"type": "object", "nullable": True})
        def get_certificate(self, progress: Any) -> dict[str, Any] | None:
            if progress.certificate is None:
                return None
            return dict(MyCourseProgressApi.CertificateOutput(progress.certificate).data)

    serializer_class = Output

    @extend_schema(operation_id="my_course_progress_list", responses=Output(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.learner_progress(user=request.user)
        return Response(self.Output(rows, many=True).data)


class LessonProgressOutput(serializers.Serializer[dict[str, Any]]):
    slug = serializers.SlugField()
    title = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)


class MyCourseLessonsOutput(serializers.Serializer[dict[str, Any]]):
    course = serializers.SlugField()
    lessons = LessonProgressOutput(many=True)


class MyCourseLessonsApi(GenericAPIView[Any]):
    """The signed-in learner's progress in one course, lesson by lesson (the learner's own
    only). A course they have not started shows every lesson as not done."""

    permission_classes = [IsAuthenticated]

    serializer_class = MyCourseLessonsOutput

    @extend_schema(operation_id="my_course_progress_retrieve")
    def get(self, request: Request, slug: str) -> Response:
        try:
            course = selectors.course_outline(slug=slug)
        except Course.DoesNotExist as error:
            raise Problem(NOT_FOUND, _("There is no published course with this slug.")) from error
        lessons = selectors.outline_lessons(course)
        done = selectors.lesson_completion_times(
            user=request.user, lesson_ids=[lesson.pk for lesson in lessons]
        )
        rows = [
            {
                "slug": lesson.slug,
                "title": lesson.text("title", _lang()),
                "completed_at": done.get(lesson.pk),
            }
            for lesson in lessons
        ]
        return Response(MyCourseLessonsOutput({"course": course.slug, "lessons": rows}).data)
