"""Progress and completion rules: per-lesson completion, course completion, certificates,
guests' progress merged into the account, versions that keep progress."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore

from core.audit import AuditAction
from core.models import AuditLog
from edu import services
from edu.models import Certificate, Enrollment, Lesson, LessonProgress
from edu.selectors import course_for_scam_type, learner_progress
from tests.edu.factories import CourseFactory, LessonFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def lessons_of(course) -> list[Lesson]:
    return list(course.lessons.order_by("module__position", "position"))


def test_completing_one_lesson_records_it_and_does_not_complete_the_course(course):
    user = UserFactory()
    first = lessons_of(course)[0]

    certificate = services.lesson_complete(user=user, lesson=first)

    assert certificate is None
    assert LessonProgress.objects.filter(user=user, lesson=first).exists()
    enrollment = Enrollment.objects.get(user=user, course=course)
    assert enrollment.completed_at is None
    assert enrollment.last_lesson == first


def test_completing_a_lesson_twice_changes_nothing(course):
    user = UserFactory()
    first = lessons_of(course)[0]
    services.lesson_complete(user=user, lesson=first)
    before = LessonProgress.objects.get(user=user, lesson=first).completed_at

    services.lesson_complete(user=user, lesson=first)

    assert LessonProgress.objects.filter(user=user).count() == 1
    assert LessonProgress.objects.get(user=user, lesson=first).completed_at == before


def test_completing_every_lesson_completes_the_course_and_issues_one_certificate(
    course, django_capture_on_commit_callbacks
):
    user = UserFactory(display_name="张𠮷英")
    *rest, last = lessons_of(course)
    for lesson in rest:
        services.lesson_complete(user=user, lesson=lesson)

    with django_capture_on_commit_callbacks() as callbacks:
        certificate = services.lesson_complete(user=user, lesson=last)

    assert certificate is not None
    assert certificate.learner_name == "张𠮷英"
    assert certificate.course_title_zh == course.title_zh
    assert certificate.course_version == 1
    assert certificate.serial.startswith("AQ-")
    assert len(callbacks) == 1  # the render task, enqueued after commit
    assert Enrollment.objects.get(user=user, course=course).completed_version == 1
    # Completing again issues nothing more.
    assert services.lesson_complete(user=user, lesson=last) is None
    assert Certificate.objects.filter(user=user).count() == 1


def test_a_draft_course_issues_no_certificate():
    lesson = LessonFactory(module__course__status="draft")
    user = UserFactory()

    assert services.lesson_complete(user=user, lesson=lesson) is None
    assert not Certificate.objects.exists()


def test_a_retired_lesson_no_longer_counts_towards_completion(course):
    user = UserFactory()
    first, second, third = lessons_of(course)
    services.lesson_complete(user=user, lesson=first)
    services.lesson_complete(user=user, lesson=second)
    Lesson.objects.filter(pk=third.pk).update(retired=True)

    certificate = services.course_completion_update(user=user, course=course)

    assert certificate is not None


def test_publishing_a_new_version_keeps_progress_and_certificates(course):
    user = UserFactory()
    for lesson in lessons_of(course):
        services.lesson_complete(user=user, lesson=lesson)
    module = course.modules.last()
    LessonFactory(module=module, slug="new-lesson")

    course = services.course_publish(course=course, by=None)

    assert course.version == 2
    progress = learner_progress(user=user)[0]
    assert (progress.done, progress.total) == (3, 4)
    assert progress.certificate is not None and progress.certificate.course_version == 1
    assert AuditLog.objects.filter(
        action=AuditAction.COURSE_PUBLISHED, target_id=str(course.pk)
    ).exists()


def test_a_guest_reads_and_their_progress_moves_into_the_account_on_sign_up(course):
    session = SessionStore()
    first, second, third = lessons_of(course)
    services.guest_lesson_complete(session=session, lesson=first)
    services.guest_lesson_complete(session=session, lesson=second)
    services.guest_lesson_visit(session=session, lesson=third)
    user = UserFactory()

    issued = services.guest_progress_merge(user=user, session=session)

    assert issued == []
    assert set(LessonProgress.objects.filter(user=user).values_list("lesson", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert Enrollment.objects.get(user=user, course=course).last_lesson == third
    assert services.GUEST_KEY not in session


def test_a_guest_who_read_every_lesson_gets_the_certificate_when_signing_up(course):
    session = SessionStore()
    for lesson in lessons_of(course):
        services.guest_lesson_complete(session=session, lesson=lesson)
    user = UserFactory()

    issued = services.guest_progress_merge(user=user, session=session)

    assert [c.course_id for c in issued] == [course.pk]


def test_revoking_a_certificate_is_audited_and_happens_once(course):
    user = UserFactory()
    staff = UserFactory()
    for lesson in lessons_of(course):
        certificate = services.lesson_complete(user=user, lesson=lesson)

    services.certificate_revoke(certificate=certificate, by=staff, reason="copied answers")
    services.certificate_revoke(certificate=certificate, by=staff, reason="again")

    certificate.refresh_from_db()
    assert not certificate.is_valid
    assert certificate.revoked_reason == "copied answers"
    entries = AuditLog.objects.filter(action=AuditAction.CERTIFICATE_REVOKED)
    assert entries.count() == 1
    assert entries.get().actor == staff


def test_my_learning_progress_costs_a_fixed_number_of_queries(django_assert_num_queries):
    user = UserFactory()
    for _ in range(4):
        lesson = LessonFactory()
        services.lesson_complete(user=user, lesson=lesson)
        LessonFactory(module=lesson.module)

    with django_assert_num_queries(3):
        rows = learner_progress(user=user)

    assert [(row.done, row.total) for row in rows] == [(1, 2)] * 4


def test_the_best_course_for_a_scam_type_is_the_most_focused_published_one():
    CourseFactory(slug="broad", scam_types=["romance", "task_rebate", "fake_loan"])
    focused = CourseFactory(slug="focused", scam_types=["romance"])
    CourseFactory(slug="draft", scam_types=["romance"], status="draft", position=0)
    CourseFactory(slug="other", scam_types=["fake_loan"])

    assert course_for_scam_type(scam_type="romance", language="zh-hans") == focused
    assert course_for_scam_type(scam_type="game_trade", language="en") is None


def test_the_best_course_prefers_one_translated_into_the_readers_language():
    CourseFactory(slug="zh-only", scam_types=["romance"], title_en="", position=0)
    translated = CourseFactory(slug="both", scam_types=["romance", "fake_loan"], position=1)

    assert course_for_scam_type(scam_type="romance", language="en") == translated


def test_the_best_course_has_a_lesson_on_the_scam_not_just_the_shortest_list():
    # Given the personal-information course names fake police among its two scam types (they
    # ask for your ID number), and the seniors' course has a lesson on fake police calls
    personal = CourseFactory(
        slug="personal", scam_types=["fake_customer_service", "impersonating_police"]
    )
    LessonFactory(
        module__course=personal, check_scam_types=["fake_customer_service", "impersonating_police"]
    )
    seniors = CourseFactory(
        slug="seniors",
        scam_types=["fake_investment", "impersonating_police", "impersonating_acquaintance"],
    )
    LessonFactory(module__course=seniors, check_scam_types=["fake_investment"])
    LessonFactory(module__course=seniors, check_scam_types=["impersonating_police"])

    # Then a fake-police check is sent to the course with the lesson on fake police
    assert course_for_scam_type(scam_type="impersonating_police", language="zh-hans") == seniors
    # And a fake-customer-service one still to the course that teaches it
    assert course_for_scam_type(scam_type="fake_customer_service", language="zh-hans") == personal
