"""Writes of the edu app: publishing (and working copies of live courses), progress,
completion, certificates.

Guests read without an account; their completed lessons live in the session
(:data:`GUEST_KEY`) and :func:`guest_progress_merge` moves them into the account on sign-up or
sign-in.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from core import clock
from core.audit import AuditAction
from core.services import audit_log_record

from .models import Certificate, Course, Enrollment, Lesson, LessonImage, LessonProgress, Module

logger = logging.getLogger(__name__)

GUEST_KEY = "edu.guest_progress"
SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


@transaction.atomic
def course_publish(*, course: Course, by: Any | None) -> Course:
    """Publish a new version (version + 1) of ``course`` in one transaction. Audited.

    ``course`` may be a draft, a live course or the working copy of one. When the live
    course has a working copy, its content is written onto the live rows first (see
    :func:`_working_copy_apply`) and the copy is removed: learners see the new content from
    this commit on, never a mix. Lessons keep their identity, so progress stays; lessons
    missing from the new version are retired, not deleted.

    The completion rule across versions: a learner who completed the course keeps the
    completion and the certificate (lessons added later show as not yet done, and finishing
    them issues nothing new); a learner who had not completed it completes it as soon as
    every active lesson of the new version is done, which this call checks at once for
    learners whose only missing lessons were removed."""
    # Always the live row first, then its copy: the same order as starting or discarding a
    # draft, so two editors acting at once wait for each other instead of deadlocking.
    live = Course.objects.select_for_update().get(pk=course.draft_of_id or course.pk)
    copy = Course.objects.select_for_update().filter(draft_of=live).first()
    changes: dict[str, Any] = {}
    if copy is not None:
        changes = _working_copy_apply(copy=copy, live=live)
        copy.delete()
    live.status = Course.Status.PUBLISHED
    live.version += 1
    live.published_at = timezone.now()
    live.save()
    audit_log_record(
        actor=by,
        action=AuditAction.COURSE_PUBLISHED,
        target=live,
        data={"version": live.version, **changes},
    )
    _completions_recompute(course=live)
    return live


@transaction.atomic
def course_unpublish(*, course: Course, by: Any | None) -> Course:
    """Back to draft: hidden from the catalogue; progress and certificates stay. Audited."""
    course.status = Course.Status.DRAFT
    course.save(update_fields=["status", "updated_at"])
    audit_log_record(actor=by, action=AuditAction.COURSE_UNPUBLISHED, target=course)
    return course


# --- Working copies: changing a published course without learners seeing it --------------

COPIED_COURSE_FIELDS = [
    "topic", "audiences", "scam_types", "title_zh", "title_en", "summary_zh", "summary_en",
    "title_zh_hant", "summary_zh_hant",
]  # fmt: skip
COPIED_LESSON_FIELDS = [
    "position", "slug", "title_zh", "title_en", "body_zh", "body_en", "minutes", "video_url",
    "audio", "check_scam_types", "check_question_count", "retired", "title_zh_hant",
    "body_zh_hant",
]  # fmt: skip


@transaction.atomic
def course_draft_start(*, course: Course, by: Any | None) -> Course:
    """The working copy of the live ``course``, made now if it has none: a draft Course row
    with copies of every module, lesson (retired ones too, so an editor can bring one back)
    and image, each pointing at its origin. Files are shared, not duplicated. Idempotent:
    a second call returns the same copy. Audited when a copy is made."""
    live = Course.objects.select_for_update().get(pk=course.pk)
    if live.draft_of_id:
        return live
    existing = Course.objects.filter(draft_of=live).first()
    if existing is not None:
        return existing
    copy = Course(
        slug=f"pending-{live.pk}-{secrets.token_hex(3)}",
        draft_of=live,
        status=Course.Status.DRAFT,
        version=live.version,
        position=live.position,
        **{name: getattr(live, name) for name in COPIED_COURSE_FIELDS},
    )
    copy.save()
    modules = {
        module.pk: Module.objects.create(
            course=copy,
            origin=module,
            position=module.position,
            title_zh=module.title_zh,
            title_en=module.title_en,
            title_zh_hant=module.title_zh_hant,
        )
        for module in live.modules.all()
    }
    lessons = {}
    for lesson in live.lessons.all():
        lessons[lesson.pk] = Lesson.objects.create(
            course=copy,
            module=modules[lesson.module_id],
            origin=lesson,
            **{name: getattr(lesson, name) for name in COPIED_LESSON_FIELDS},
        )
    LessonImage.objects.bulk_create(
        LessonImage(
            lesson=lessons[image.lesson_id],
            position=image.position,
            image=image.image.name,
            alt_zh=image.alt_zh,
            alt_en=image.alt_en,
            alt_zh_hant=image.alt_zh_hant,
            renditions=image.renditions,
            width=image.width,
            height=image.height,
        )
        for image in LessonImage.objects.filter(lesson__course=live)
    )
    audit_log_record(actor=by, action=AuditAction.COURSE_DRAFT_STARTED, target=live)
    return copy


@transaction.atomic
def course_draft_discard(*, course: Course, by: Any | None) -> Course:
    """Throw away the pending changes of a live course (``course`` is the live course or its
    working copy); learners never saw them. Returns the live course. Idempotent. Audited."""
    live = Course.objects.select_for_update().get(pk=course.draft_of_id or course.pk)
    deleted, _rows = Course.objects.filter(draft_of=live).delete()
    if deleted:
        audit_log_record(actor=by, action=AuditAction.COURSE_DRAFT_DISCARDED, target=live)
    return live


def _working_copy_apply(*, copy: Course, live: Course) -> dict[str, list[str]]:
    """Write a working copy's content onto the live course's rows (inside the caller's
    transaction). A copied lesson updates the live lesson it came from; a new lesson takes
    over a live lesson with the same slug nobody else claims (the identity of a lesson is its
    course and slug, as for package re-imports), else becomes a new live lesson. Live lessons
    left unclaimed are retired. Returns the slugs added, removed and changed, for the audit."""
    for name in COPIED_COURSE_FIELDS:
        setattr(live, name, getattr(copy, name))
    live.package_digest = ""  # edited by hand: the next package import applies again

    live_modules = {module.pk: module for module in live.modules.all()}
    module_map: dict[int, Module] = {}
    for module in copy.modules.all():
        live_module = live_modules.get(module.origin_id or 0) or Module(course=live)
        live_module.position = module.position
        live_module.title_zh, live_module.title_en = module.title_zh, module.title_en
        live_module.title_zh_hant = module.title_zh_hant
        live_module.save()
        module_map[module.pk] = live_module

    live_lessons = {lesson.pk: lesson for lesson in live.lessons.prefetch_related("images")}
    copies = list(copy.lessons.prefetch_related("images"))
    claimed = {lesson.origin_id for lesson in copies if lesson.origin_id in live_lessons}
    by_slug = {lesson.slug: lesson for pk, lesson in live_lessons.items() if pk not in claimed}
    pairs: list[tuple[Lesson, Lesson | None]] = []
    for lesson in copies:
        target = live_lessons.get(lesson.origin_id or 0)
        if target is None and lesson.slug in by_slug:
            target = by_slug.pop(lesson.slug)
            claimed.add(target.pk)
        pairs.append((lesson, target))
    unclaimed = [lesson for pk, lesson in live_lessons.items() if pk not in claimed]

    # Slugs may be swapped or reused between lessons: free them all before writing any.
    new_slugs = {lesson.slug for lesson in copies}
    Lesson.objects.filter(pk__in=claimed).update(slug=Concat(Value("~"), Cast("pk", CharField())))
    for lesson in unclaimed:
        if lesson.slug in new_slugs:  # a retired lesson gives its slug to a new one
            Lesson.objects.filter(pk=lesson.pk).update(slug=f"retired-{lesson.pk}")

    changes: dict[str, list[str]] = {"added": [], "removed": [], "changed": []}
    for source, paired in pairs:
        target = paired
        if target is None:
            target = Lesson(course=live)
            changes["added"].append(source.slug)
        elif not target.retired and source.retired:
            changes["removed"].append(source.slug)
        elif any(getattr(target, n) != getattr(source, n) for n in COPIED_LESSON_FIELDS):
            changes["changed"].append(source.slug)
        target.module = module_map[source.module_id]
        for name in COPIED_LESSON_FIELDS:
            setattr(target, name, getattr(source, name))
        target.save()
        _images_move(source=source, target=target)
    for lesson in unclaimed:
        if not lesson.retired:
            changes["removed"].append(lesson.slug)
    Lesson.objects.filter(pk__in=[lesson.pk for lesson in unclaimed]).update(retired=True)
    return changes


def _images_move(*, source: Lesson, target: Lesson) -> None:
    """Give ``target`` the images of ``source``. A live image whose file the copy still shows
    is updated in place; the copy's new images move over; live images the copy dropped go."""
    live_images = {image.image.name: image for image in target.images.all()}
    for image in source.images.all():
        kept = live_images.pop(image.image.name, None)
        if kept is None:
            image.lesson = target
            image.save(update_fields=["lesson"])
            continue
        kept.position = image.position
        kept.alt_zh, kept.alt_en = image.alt_zh, image.alt_en
        kept.alt_zh_hant = image.alt_zh_hant
        kept.save(update_fields=["position", "alt_zh", "alt_en", "alt_zh_hant"])
        image.delete()
    LessonImage.objects.filter(pk__in=[image.pk for image in live_images.values()]).delete()


def _completions_recompute(*, course: Course) -> None:
    """Complete the course for enrolled learners who have now done every active lesson
    (their missing lessons were removed in this version). One aggregate query, then the
    usual completion path for the few it finds."""
    active = _active_lesson_ids(course.pk)
    if not active:
        return
    pending = Enrollment.objects.filter(course=course, completed_at__isnull=True).values("user_id")
    finished = (
        LessonProgress.objects.filter(lesson_id__in=active, user_id__in=Subquery(pending))
        .values("user_id")
        .annotate(n=Count("id"))
        .filter(n=len(active))
        .values_list("user_id", flat=True)
    )
    for user in get_user_model().objects.filter(pk__in=list(finished)):
        course_completion_update(user=user, course=course)


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
    at = at or clock.now()
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
                    course_title_zh_hant=course.title_zh_hant,
                    language=user.language,  # a zh-hant learner's is drawn in Traditional
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
        action=AuditAction.CERTIFICATE_REVOKED,
        target=certificate,
        data={"serial": certificate.serial, "reason": certificate.revoked_reason},
        before={"revoked_at": None},
        after={"revoked_at": certificate.revoked_at, "revoked_reason": certificate.revoked_reason},
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


@transaction.atomic
def certificate_download_record(*, certificate: Certificate, by: Any, kind: str) -> None:
    """Audit that a certificate's file (it carries the learner's name) was served to someone
    other than its owner: staff allowed to view certificates. Call it once access was
    granted; the owner's own downloads are not recorded."""
    audit_log_record(
        actor=by,
        action=AuditAction.CERTIFICATE_DOWNLOADED,
        target=certificate,
        data={"file": kind, "learner": certificate.user_id},
    )
