"""Writes of the edu app: publishing, progress, completion, certificates.

Guests read without an account; their completed lessons live in the session
(:data:`GUEST_KEY`) and :func:`guest_progress_merge` moves them into the account on sign-up or
sign-in.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.services import audit_log_record

from .models import Certificate, Course, Enrollment, Lesson, LessonProgress

logger = logging.getLogger(__name__)

GUEST_KEY = "edu.guest_progress"
SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


@transaction.atomic
def course_publish(*, course: Course, by: Any | None) -> Course:
    """Publish ``course`` as a new version (version + 1). Lessons keep their identity, so
    learners' progress and certificates stay; a learner who had completed the course keeps
    the certificate, and lessons added in this version show as still to do. Audited."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    course.status = Course.Status.PUBLISHED
    course.version += 1
    course.published_at = timezone.now()
    course.save(update_fields=["status", "version", "published_at", "updated_at"])
    audit_log_record(
        actor=by, action="course.published", target=course, data={"version": course.version}
    )
    return course


@transaction.atomic
def course_unpublish(*, course: Course, by: Any | None) -> Course:
    """Back to draft: hidden from the catalogue; progress and certificates stay. Audited."""
    course.status = Course.Status.DRAFT
    course.save(update_fields=["status", "updated_at"])
    audit_log_record(actor=by, action="course.unpublished", target=course)
    return course


def _active_lesson_ids(course_id: int) -> set[int]:
    return set(
        Lesson.objects.filter(course_id=course_id, retired=False).values_list("id", flat=True)
    )


def lesson_visit(*, user: Any, lesson: Lesson) -> None:
    """Remember where the learner is (for "continue where you left off"); enrols on the
    first visit. Idempotent; one UPDATE on the hot path of every lesson page."""
    now = timezone.now()
    updated = Enrollment.objects.filter(user=user, course_id=lesson.course_id).update(
        last_lesson=lesson, last_seen_at=now
    )
    if not updated:
        Enrollment.objects.get_or_create(
            user=user,
            course_id=lesson.course_id,
            defaults={"last_lesson": lesson, "last_seen_at": now},
        )


@transaction.atomic
def lesson_complete(*, user: Any, lesson: Lesson, at: datetime | None = None) -> Certificate | None:
    """Mark ``lesson`` done for ``user``; when every active lesson of the course is done,
    complete the course and issue the certificate. Idempotent: completing twice changes
    nothing. The caller has already checked any knowledge check (see edu.checks).
    Returns the certificate when this call completed the course."""
    at = at or timezone.now()
    LessonProgress.objects.get_or_create(user=user, lesson=lesson, defaults={"completed_at": at})
    enrollment, _ = Enrollment.objects.get_or_create(user=user, course_id=lesson.course_id)
    if enrollment.last_lesson_id != lesson.pk:
        enrollment.last_lesson = lesson
        enrollment.last_seen_at = at
        enrollment.save(update_fields=["last_lesson", "last_seen_at"])
    return course_completion_update(user=user, course=lesson.course)


@transaction.atomic
def course_completion_update(*, user: Any, course: Course) -> Certificate | None:
    """Complete the course and issue its certificate if every active lesson is done and the
    course is published. Idempotent; returns the certificate issued by this call, if any."""
    if not course.is_published:
        return None
    wanted = _active_lesson_ids(course.pk)
    done = set(
        LessonProgress.objects.filter(user=user, lesson_id__in=wanted).values_list(
            "lesson_id", flat=True
        )
    )
    if not wanted or done != wanted:
        return None
    enrollment, _ = Enrollment.objects.select_for_update().get_or_create(user=user, course=course)
    if enrollment.completed_at is None:
        enrollment.completed_at = timezone.now()
        enrollment.completed_version = course.version
        enrollment.save(update_fields=["completed_at", "completed_version"])
    if Certificate.objects.filter(user=user, course=course).exists():
        return None
    return certificate_issue(user=user, course=course)


def _new_serial() -> str:
    body = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(10))
    return f"AQ-{timezone.now():%Y}-{body[:5]}-{body[5:]}"


@transaction.atomic
def certificate_issue(*, user: Any, course: Course) -> Certificate:
    """Issue the certificate (one per learner and course) and render its PNG and PDF in the
    background after commit. Idempotent: an existing certificate is returned unchanged."""
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    serial=_new_serial(),
                    user=user,
                    course=course,
                    course_version=course.version,
                    learner_name=user.shown_name[:100],
                    course_title_zh=course.title_zh,
                    course_title_en=course.title_en,
                    issued_at=timezone.now(),
                )
            break
        except IntegrityError:  # a serial collision (or a concurrent issue): try again
            existing = Certificate.objects.filter(user=user, course=course).first()
            if existing:
                return existing
    else:  # pragma: no cover - 32^10 serials
        raise RuntimeError("could not draw a free certificate serial")
    transaction.on_commit(lambda: certificate_render_enqueue(certificate_id=certificate.pk))
    return certificate


def certificate_render_enqueue(*, certificate_id: int) -> bool:
    """Ask the worker to render a certificate. A broker that is down must not fail the
    learner's request (their completion is saved): the failure is logged and
    :func:`certificates_render_pending` picks the certificate up later."""
    from .tasks import certificate_render_task

    try:
        certificate_render_task.delay(certificate_id)
    except Exception:  # any broker error: the sweep retries
        logger.warning("certificate %s: render not enqueued", certificate_id, exc_info=True)
        return False
    return True


def certificates_render_pending(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Enqueue rendering of valid certificates still without files after ``older_than``
    (their first request was lost). Safe to run any time: rendering is idempotent."""
    pending = Certificate.objects.filter(
        rendered_at__isnull=True,
        revoked_at__isnull=True,
        issued_at__lt=timezone.now() - older_than,
    ).values_list("pk", flat=True)
    return sum(certificate_render_enqueue(certificate_id=pk) for pk in pending)


def certificate_render(*, certificate_id: int) -> bool:
    """Render the PNG and PDF of a certificate into media storage. Safe to run twice: a
    rendered certificate is left alone. Returns whether it rendered now."""
    from .certificates import render_pdf, render_png

    certificate = Certificate.objects.select_related("course").get(pk=certificate_id)
    if certificate.rendered_at is not None:
        return False
    from django.core.files.base import ContentFile

    png = render_png(certificate)
    pdf = render_pdf(certificate)
    certificate.png.save(f"{certificate.serial}.png", ContentFile(png), save=False)
    certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(pdf), save=False)
    certificate.rendered_at = timezone.now()
    certificate.save(update_fields=["png", "pdf", "rendered_at"])
    return True


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by: Any, reason: str) -> Certificate:
    """Revoke a certificate: the verification page says so from now on. Audited;
    revoking a revoked certificate changes nothing."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        return certificate
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason[:300]
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    audit_log_record(
        actor=by,
        action="certificate.revoked",
        target=certificate,
        data={"serial": certificate.serial, "reason": certificate.revoked_reason},
    )
    return certificate


# --- Guests ---------------------------------------------------------------------------------


def guest_progress(session: Any) -> dict[str, Any]:
    data = session.get(GUEST_KEY) or {}
    return {"lessons": dict(data.get("lessons", {})), "last": dict(data.get("last", {}))}


def guest_lesson_visit(*, session: Any, lesson: Lesson) -> None:
    data = guest_progress(session)
    data["last"][str(lesson.course_id)] = lesson.pk
    session[GUEST_KEY] = data


def guest_lesson_complete(*, session: Any, lesson: Lesson) -> None:
    """Keep a guest's completed lesson in their session, until they sign up or sign in."""
    data = guest_progress(session)
    data["lessons"].setdefault(str(lesson.pk), timezone.now().isoformat())
    data["last"][str(lesson.course_id)] = lesson.pk
    session[GUEST_KEY] = data


@transaction.atomic
def guest_progress_merge(*, user: Any, session: Any) -> list[Certificate]:
    """Move a guest's progress from the session into ``user``'s account (on sign-up or
    sign-in), completing courses and issuing certificates the merge finishes. Idempotent;
    clears the session's copy."""
    data = guest_progress(session)
    if not data["lessons"] and not data["last"]:
        return []
    lessons = Lesson.objects.select_related("course").filter(
        pk__in=[int(pk) for pk in data["lessons"]]
    )
    courses: dict[int, Course] = {}
    for lesson in lessons:
        at = datetime.fromisoformat(data["lessons"][str(lesson.pk)])
        LessonProgress.objects.get_or_create(
            user=user, lesson=lesson, defaults={"completed_at": at}
        )
        courses[lesson.course_id] = lesson.course
    last = Lesson.objects.filter(pk__in=[int(pk) for pk in data["last"].values()])
    for lesson in last:
        enrollment, _ = Enrollment.objects.get_or_create(user=user, course_id=lesson.course_id)
        enrollment.last_lesson = lesson
        enrollment.last_seen_at = timezone.now()
        enrollment.save(update_fields=["last_lesson", "last_seen_at"])
    issued = [
        cert
        for course in courses.values()
        if (cert := course_completion_update(user=user, course=course)) is not None
    ]
    session.pop(GUEST_KEY, None)
    return issued
