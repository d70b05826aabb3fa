"""Reads of the edu app: catalogue, course outline, a learner's progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse

from core.hant import to_simplified
from quizzes.recommendations import RecommendedCourse

from .models import Certificate, Course, Enrollment, Lesson, LessonProgress, Module
from .services import guest_progress


def course_catalogue(*, topic: str = "", audience: str = "", query: str = "") -> QuerySet[Course]:
    """Published courses, filtered by topic, audience and a search over titles, summaries
    and lesson text (both languages; a word in Traditional characters finds the Simplified
    text), each annotated with its number of active lessons."""
    courses = Course.objects.filter(status=Course.Status.PUBLISHED)
    if topic:
        courses = courses.filter(topic=topic)
    if audience:
        # JSON list membership, portable between SQLite and PostgreSQL.
        courses = courses.filter(audiences__icontains=f'"{audience}"')
    if query:
        words = query.split()[:5]
        for word in words:
            # A word typed in Traditional characters finds the Simplified original too.
            zh = to_simplified(word)
            courses = courses.filter(
                Q(title_zh__icontains=zh)
                | Q(title_en__icontains=word)
                | Q(summary_zh__icontains=zh)
                | Q(summary_en__icontains=word)
                | Q(lessons__title_zh__icontains=zh, lessons__retired=False)
                | Q(lessons__title_en__icontains=word, lessons__retired=False)
                | Q(lessons__body_zh__icontains=zh, lessons__retired=False)
                | Q(lessons__body_en__icontains=word, lessons__retired=False)
            )
        courses = courses.distinct()
    return courses.annotate(
        lesson_count=Count("lessons", filter=Q(lessons__retired=False), distinct=True)
    ).order_by("position", "id")


def course_outline(*, slug: str) -> Course:
    """A published course with its modules and active lessons, in order (three queries)."""
    return courses_with_outline(Course.objects.filter(status=Course.Status.PUBLISHED)).get(
        slug=slug
    )


def course_preview_outline(*, slug: str) -> tuple[Course, Course]:
    """(live course, what its preview shows) for staff: the working copy holding the pending
    changes when there is one, else the course itself (a draft, or a published course without
    pending changes). Raises Course.DoesNotExist. Four queries."""
    live = Course.objects.select_related("working_copy").get(slug=slug, draft_of__isnull=True)
    shown = getattr(live, "working_copy", None) or live
    return live, courses_with_outline(Course.objects.filter(pk=shown.pk)).get()


@dataclass(frozen=True)
class PendingChanges:
    """What publishing a working copy would change, for the editor's confirmation page."""

    added: list[Lesson]
    removed: list[Lesson]
    changed: list[Lesson]
    course_changed: bool

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.course_changed)


def course_pending_changes(*, copy: Course) -> PendingChanges:
    """Compare a working copy with its live course (by each copy's origin, else slug, as
    publishing matches them). Lesson moves and reordering count as changes."""
    from .services import COPIED_COURSE_FIELDS, COPIED_LESSON_FIELDS

    live = copy.draft_of
    if live is None:
        raise ValueError("not a working copy")
    live_lessons = {lesson.pk: lesson for lesson in live.lessons.select_related("module")}
    live_by_slug = {lesson.slug: lesson for lesson in live_lessons.values()}
    added, changed, removed = [], [], []
    claimed: set[int] = set()
    for lesson in copy.lessons.select_related("module"):
        origin = live_lessons.get(lesson.origin_id or 0) or live_by_slug.get(lesson.slug)
        if origin is None or (origin.retired and not lesson.retired):
            added.append(lesson)
            if origin is not None:
                claimed.add(origin.pk)
            continue
        claimed.add(origin.pk)
        if lesson.retired and not origin.retired:
            removed.append(lesson)
        elif (
            any(getattr(lesson, n) != getattr(origin, n) for n in COPIED_LESSON_FIELDS)
            or lesson.module.position != origin.module.position
            or (lesson.module.origin_id or 0) != origin.module_id
        ):
            changed.append(lesson)
    removed += [
        lesson for pk, lesson in live_lessons.items() if pk not in claimed and not lesson.retired
    ]
    course_changed = any(getattr(copy, n) != getattr(live, n) for n in COPIED_COURSE_FIELDS)
    return PendingChanges(
        added=added, removed=removed, changed=changed, course_changed=course_changed
    )


def outline_lessons(course: Course) -> list[Lesson]:
    """Active lessons of an outline (from :func:`course_outline`) in reading order."""
    return [lesson for module in course.modules.all() for lesson in module.lessons.all()]


def completed_lesson_ids(*, user: Any, session: Any, lesson_ids: Iterable[int]) -> set[int]:
    """Done lessons among ``lesson_ids``, from the account or, for a guest, the session."""
    ids = set(lesson_ids)
    if getattr(user, "is_authenticated", False):
        return set(
            LessonProgress.objects.filter(user=user, lesson_id__in=ids).values_list(
                "lesson_id", flat=True
            )
        )
    return {int(pk) for pk in guest_progress(session)["lessons"]} & ids


def lesson_completion_times(*, user: Any, lesson_ids: Iterable[int]) -> dict[int, Any]:
    """When the learner completed each of ``lesson_ids`` (absent: not done). One query."""
    return dict(
        LessonProgress.objects.filter(user=user, lesson_id__in=list(lesson_ids)).values_list(
            "lesson_id", "completed_at"
        )
    )


def resume_lesson_id(*, user: Any, session: Any, course: Course) -> int | None:
    if getattr(user, "is_authenticated", False):
        last = (
            Enrollment.objects.filter(user=user, course=course)
            .values_list("last_lesson_id", flat=True)
            .first()
        )
        return last
    value = guest_progress(session)["last"].get(str(course.pk))
    return int(value) if value else None


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    done: int
    total: int
    completed_at: Any
    last_lesson: Lesson | None
    certificate: Certificate | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def learner_progress(*, user: Any) -> list[CourseProgress]:
    """Every course the learner started, with lessons done / total, most recent first.
    A fixed number of queries whatever the number of courses."""
    enrollments = list(
        Enrollment.objects.filter(user=user)
        .select_related("course", "last_lesson")
        .annotate(
            total=Count("course__lessons", filter=Q(course__lessons__retired=False), distinct=True)
        )
        .order_by("-last_seen_at", "-started_at")
    )
    course_ids = [e.course_id for e in enrollments]
    done: dict[int, int] = {}
    for row in (
        LessonProgress.objects.filter(
            user=user, lesson__course_id__in=course_ids, lesson__retired=False
        )
        .values("lesson__course_id")
        .annotate(n=Count("id"))
    ):
        done[row["lesson__course_id"]] = row["n"]
    certificates = {
        c.course_id: c for c in Certificate.objects.filter(user=user, course_id__in=course_ids)
    }
    return [
        CourseProgress(
            course=e.course,
            done=done.get(e.course_id, 0),
            total=e.total,
            completed_at=e.completed_at,
            # A lesson removed from the course is no place to resume.
            last_lesson=e.last_lesson if e.last_lesson and not e.last_lesson.retired else None,
            certificate=certificates.get(e.course_id),
        )
        for e in enrollments
    ]


def certificate_by_serial(*, serial: str) -> Certificate | None:
    return Certificate.objects.select_related("course").filter(serial=serial.upper()).first()


def certificate_may_download(*, certificate: Certificate, user: Any) -> bool:
    """Whether ``user`` may download the certificate's files: its owner while it is valid
    (a revoked certificate's files are withdrawn), and staff who may view certificates,
    always. Anyone else may only see the public verification page."""
    if not user.is_authenticated:
        return False
    if user.has_perm("edu.view_certificate"):
        return True
    return user.pk == certificate.user_id and certificate.is_valid


def course_for_scam_type(*, scam_type: str, language: str) -> Course | None:
    """The best published course that teaches ``scam_type``, for the quizzes result pages
    and the end of a transfer check.

    Best = a course with a translation in ``language`` first; then the course with the most
    lessons on this very scam (a lesson whose knowledge check is about it alone), then with
    the most lessons touching it at all; then the most focused course (fewest scam types);
    then the catalogue order. A course's scam-type list alone is not enough: it also names
    the scams a course only touches (the personal-information course lists fake police,
    who ask for your ID number), and it is short, so ranking by its length alone sent a
    fake-police check to that course instead of the one with a lesson on fake police calls.
    Two queries. None when no published course teaches it."""
    candidates = [
        course
        for course in Course.objects.filter(
            status=Course.Status.PUBLISHED, scam_types__icontains=f'"{scam_type}"'
        ).order_by("position", "id")
        if scam_type in (course.scam_types or [])
    ]
    if not candidates:
        return None
    devoted: dict[int, int] = {}
    touching: dict[int, int] = {}
    lessons = Lesson.objects.filter(course__in=candidates, retired=False).values_list(
        "course_id", "check_scam_types"
    )
    for course_id, types in lessons:
        if scam_type in (types or []):
            touching[course_id] = touching.get(course_id, 0) + 1
            if types == [scam_type]:
                devoted[course_id] = devoted.get(course_id, 0) + 1
    wants_english = not language.startswith("zh")

    def rank(course: Course) -> tuple[int, int, int, int]:
        missing_language = 1 if wants_english and not course.title_en else 0
        return (
            missing_language,
            -devoted.get(course.pk, 0),
            -touching.get(course.pk, 0),
            len(course.scam_types),
        )

    return min(candidates, key=rank)


def courses_with_outline(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Prefetch modules and active lessons in order: three queries for any number. A module
    whose lessons were all retired (removed in a later version) is left out."""
    lessons = Lesson.objects.filter(retired=False).order_by("position", "id")
    active = Lesson.objects.filter(module=OuterRef("pk"), retired=False)
    return courses.prefetch_related(
        Prefetch(
            "modules",
            queryset=Module.objects.filter(Exists(active))
            .order_by("position", "id")
            .prefetch_related(Prefetch("lessons", queryset=lessons)),
        )
    )


def recommended_course(scam_type: str, language: str) -> RecommendedCourse | None:
    """edu's course finder for the question bank's result pages (quizzes.recommendations):
    the course of :func:`course_for_scam_type`, as a title in the reader's language and a
    link."""
    course = course_for_scam_type(scam_type=scam_type, language=language)
    if course is None:
        return None
    return RecommendedCourse(
        title=course.text("title", language), url=reverse("edu:course", args=[course.slug])
    )
