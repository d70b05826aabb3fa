"""Slugs of courses and lessons made from their Chinese titles (``core.slugs``), unique:
across all courses (working copies included), and among the lessons of one course."""

from __future__ import annotations

from collections.abc import Collection

from core.slugs import pinyin_slug, slug_unique

from .models import Course, Lesson

SLUG_LENGTH = 80  # Course.slug and Lesson.slug


def course_slug_make(*, title: str, exclude_pk: int | None = None) -> str:
    """A free course slug for ``title``; ``exclude_pk`` is the course being edited. Reads
    only: two editors saving the same title at once meet the slug's unique constraint."""
    others = Course.objects.exclude(pk=exclude_pk) if exclude_pk else Course.objects.all()
    return slug_unique(
        pinyin_slug(title, max_length=SLUG_LENGTH),
        taken=lambda slug: others.filter(slug=slug).exists(),
        fallback="course",
        max_length=SLUG_LENGTH,
    )


def lesson_slug_make(
    *,
    title: str,
    course_id: int | None,
    exclude_pk: int | None = None,
    also_taken: Collection[str] = (),
) -> str:
    """A slug for a lesson titled ``title``, free in its course (none yet for a course
    being created) and not in ``also_taken`` (slugs of lessons saved in the same form)."""
    others = Lesson.objects.filter(course_id=course_id) if course_id else Lesson.objects.none()
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    return slug_unique(
        pinyin_slug(title, max_length=SLUG_LENGTH),
        taken=lambda slug: slug in also_taken or others.filter(slug=slug).exists(),
        fallback="lesson",
        max_length=SLUG_LENGTH,
    )
