"""Courses that work without signal: what a phone saves for a course, and lessons finished
on it while offline, as they reach us afterwards.

A learner saves a course (its pages, images and audio; :func:`offline_manifest` lists them
with their size) and reads it with no signal. Finishing a lesson offline is queued on the
phone with a client UUID and sent when the signal is back (:func:`offline_lesson_complete`);
the same UUID twice records nothing more. A lesson's knowledge check is graded here, on the
server, against the questions its page served: the page carries them in a signed token
(:func:`served_token`), since the session that served them online may have moved on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse

from core import clock
from core.exceptions import DomainError

from . import checks
from .models import Course, Lesson, OfflineCompletion
from .services import lesson_complete

_SALT = "edu.offline.served"
# A course saved for offline is read for weeks in places without signal.
SERVED_TOKEN_MAX_AGE = 60 * 24 * 3600
# What a lesson page weighs beyond its text (layout, header, form): measured on the demo
# course, rounded up, so the size shown before saving is not an underestimate.
PAGE_OVERHEAD_BYTES = 12_000


class OfflineCompletionOfAnother(DomainError):
    """The client UUID was already sent by another account."""

    code = "offline-completion-of-another"


def served_token(*, user_id: int, lesson_id: int, question_ids: list[int]) -> str:
    """A signed note of the questions a lesson page served to this user."""
    return signing.dumps({"u": user_id, "l": lesson_id, "q": question_ids}, salt=_SALT)


def served_from_token(token: str, *, user_id: int, lesson_id: int) -> list[int] | None:
    """The question ids the token names, or None when it is missing, forged, expired or for
    another user or lesson (then the check counts as not answered)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=SERVED_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id or data.get("l") != lesson_id:
        return None
    ids = data.get("q")
    return [int(i) for i in ids] if isinstance(ids, list) else None


@dataclass(frozen=True)
class Manifest:
    course: str
    version: int
    pages: list[str]
    assets: list[str]
    bytes: int


def _file_size(name: str) -> int:
    try:
        return int(default_storage.size(name))
    except (OSError, NotImplementedError):
        return 0


def offline_manifest(*, course: Course, lessons: list[Lesson]) -> Manifest:
    """Everything a phone keeps to read ``course`` offline: the course page, every lesson
    page, every image rendition and audio file, and what it all weighs (pages estimated
    from their text, files by their stored size). Reads only."""
    pages = [reverse("edu:course", args=[course.slug])]
    assets: list[str] = []
    size = PAGE_OVERHEAD_BYTES
    for lesson in lessons:
        pages.append(reverse("edu:lesson", args=[course.slug, lesson.slug]))
        size += PAGE_OVERHEAD_BYTES + 2 * len((lesson.body_zh + lesson.body_en).encode())
        for image in lesson.images.all():
            names = list(image.renditions.values()) or [image.image.name]
            for name in names:
                assets.append(default_storage.url(name))
                size += _file_size(name)
        if lesson.audio:
            assets.append(lesson.audio.url)
            size += _file_size(lesson.audio.name or "")
    return Manifest(
        course=course.slug, version=course.version, pages=pages, assets=assets, bytes=size
    )


@dataclass(frozen=True)
class OfflineResult:
    completion: OfflineCompletion
    created: bool


@transaction.atomic
def offline_lesson_complete(
    *,
    user: Any,
    client_uuid: uuid.UUID,
    lesson: Lesson,
    answers: dict[int, list[int]],
    token: str,
    completed_at: datetime,
) -> OfflineResult:
    """Record a lesson finished offline. Idempotent by ``client_uuid``: sent again, it
    returns what the first call recorded and changes nothing. The knowledge check, if the
    lesson has one, is graded against the questions the signed token names; passed (or no
    check), the lesson is completed as of ``completed_at`` (never later than now) and the
    course and its certificate follow as online. Atomic. Only the learner themselves calls
    it (the API passes request.user); a UUID already sent by another account is refused."""
    existing = OfflineCompletion.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise OfflineCompletionOfAnother()
        return OfflineResult(existing, created=False)
    now = clock.now()
    at = min(completed_at, now)
    served = served_from_token(token, user_id=user.pk, lesson_id=lesson.pk)
    # Only the served questions count; one left out is unanswered (as on the page).
    graded = {qid: answers.get(qid, []) for qid in served or []}
    gate = checks.knowledge_check_gate(lesson=lesson, served=served, answers=graded)
    if gate.allowed:
        outcome = OfflineCompletion.Outcome.COMPLETED
        lesson_complete(user=user, lesson=lesson, at=at)
    elif gate.unseen:
        outcome = OfflineCompletion.Outcome.CHECK_UNSEEN
    else:
        outcome = OfflineCompletion.Outcome.CHECK_FAILED
    try:
        with transaction.atomic():
            completion = OfflineCompletion.objects.create(
                client_uuid=client_uuid,
                user=user,
                lesson=lesson,
                outcome=outcome,
                correct=gate.result.correct if gate.result else None,
                total=gate.result.total if gate.result else None,
                completed_at=at,
                received_at=now,
            )
    except IntegrityError:
        # The same UUID arrived twice at once (two tabs flushing): the first one stands;
        # lesson_complete above is idempotent, so nothing was counted twice.
        existing = OfflineCompletion.objects.get(client_uuid=client_uuid)
        if existing.user_id != user.pk:
            raise OfflineCompletionOfAnother() from None
        return OfflineResult(existing, created=False)
    return OfflineResult(completion, created=True)
