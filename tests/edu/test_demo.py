"""The demo courses load through the package import, completely, and idempotently."""

from __future__ import annotations

import pytest

from edu.demo import demo_courses_seed
from edu.models import Certificate, Course, Lesson, LessonProgress
from edu.rendering import markdown_to_text

pytestmark = pytest.mark.django_db


def test_seed_loads_five_published_bilingual_courses_with_three_lessons_or_more():
    slugs = demo_courses_seed()

    assert len(slugs) >= 5
    topics = set(Course.objects.values_list("topic", flat=True))
    assert {"anti_fraud", "borrowing_credit", "budgeting", "personal_info"} <= topics
    assert Course.objects.filter(audiences__icontains='"elderly"').exists()
    for course in Course.objects.all():
        assert course.is_published and course.version == 1
        assert course.title_zh and course.title_en and course.summary_en
        lessons = list(course.lessons.all())
        assert len(lessons) >= 3, course.slug
        for lesson in lessons:
            assert len(markdown_to_text(lesson.body_zh)) > 200, lesson.slug
            assert len(markdown_to_text(lesson.body_en)) > 200, lesson.slug


def test_seeding_twice_changes_nothing():
    demo_courses_seed()
    before = list(Course.objects.values_list("slug", "version", "updated_at"))
    lessons = Lesson.objects.count()

    demo_courses_seed()

    assert list(Course.objects.values_list("slug", "version", "updated_at")) == before
    assert Lesson.objects.count() == lessons


def test_seed_demo_gives_the_demo_learners_progress_and_the_elder_a_certificate():
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")

    elder = Certificate.objects.get(user__username="elder")
    assert elder.learner_name == "张𠮷英"
    assert elder.course.slug == "safe-money-for-seniors"
    assert LessonProgress.objects.filter(user__username="learner").count() == 2


def test_seeding_skips_a_course_an_editor_has_a_pending_draft_of(fixture_folder):
    from edu.services import course_draft_start

    # Given a demo course with a pending draft, and newer demo content for it
    demo_courses_seed(folder=fixture_folder.parent)
    course = Course.objects.get(slug="fixture-course")
    course_draft_start(course=course, by=None)
    (fixture_folder / "lessons" / "hang-up.zh-hans.md").write_text("更新的演示内容。")

    # When the demo is seeded again
    slugs = demo_courses_seed(folder=fixture_folder.parent)

    # Then the course is left to the editor, unchanged
    assert slugs == []
    assert course.lessons.get(slug="hang-up").body_zh != "更新的演示内容。"
