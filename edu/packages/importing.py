"""Importing a checked package in one transaction, with its files written and cleaned
up all or nothing."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import AuditAction
from core.services import audit_log_record
from quizzes.packages import (
    QuestionsWritten,
    questions_import,
)
from quizzes.services import QuestionNotPublishable

from ..models import Course, Lesson, LessonImage, Module
from .archive import PackageError
from .checking import CourseSpec
from .manifest import parse_package


@dataclass(frozen=True)
class ImportResult:
    course: Course
    created: bool
    changed: bool
    questions_created: int = 0
    questions_updated: int = 0


def _storage_delete(names: list[str]) -> None:
    from ..images import stored_files_delete

    stored_files_delete(names)


def course_package_import(
    *, files: dict[str, bytes], by: Any | None, publish: bool = False
) -> ImportResult:
    """Create or update (by slug) a course, and the questions its checks draw (by key), from
    a package's files. All or nothing: the package is fully checked before anything is
    written, and the database work is one transaction. Files: the files the import stops
    using (replaced images and audio) are deleted only after the commit; when the import
    fails, the files it had already written are deleted and the old ones stay. Idempotent:
    the same content again changes nothing. ``publish`` publishes a new version when the
    content changed (or the course was a draft). Audited."""
    spec = parse_package(files)
    track = QuestionsWritten()
    try:
        with transaction.atomic():
            result = _import(spec, by=by, publish=publish, track=track)
            written = set(track.written_files)
            unused = [name for name in track.replaced_files if name not in written]
            # robust: a failing delete is logged; it must not look like a failed import.
            transaction.on_commit(lambda: _storage_delete(unused), robust=True)
    except OSError as error:
        _storage_delete(track.written_files)
        raise PackageError(
            _("The package's files could not be saved (%(error)s); nothing was imported.")
            % {"error": error.strerror or error}
        ) from error
    except BaseException:
        _storage_delete(track.written_files)
        raise
    return result


def _import(
    spec: CourseSpec, *, by: Any | None, publish: bool, track: QuestionsWritten
) -> ImportResult:
    from ..images import lesson_image_renditions_make
    from ..services import course_publish

    try:
        questions = questions_import(specs=spec.questions, into=track)
    except QuestionNotPublishable as error:
        # The package's checks refuse such questions first; the bank's own rule holds too.
        raise PackageError(str(error.message)) from error
    counts = {"questions_created": questions.created, "questions_updated": questions.updated}
    questions_changed = bool(questions.created or questions.updated)
    course = Course.objects.select_for_update().filter(slug=spec.slug).first()
    created = course is None
    if course is not None and course.draft_of_id:
        raise PackageError(
            _("The slug %(slug)s belongs to unpublished changes of another course.")
            % {"slug": spec.slug}
        )
    unchanged = course is not None and course.package_digest == spec.digest
    if (
        course is not None
        and not (unchanged and (course.is_published or not publish))
        and Course.objects.filter(draft_of=course).exists()
    ):
        # The package would update the live course in place and the pending changes,
        # copied from the old content, would undo it when published: let the editor choose.
        raise PackageError(
            _(
                "“%(title)s” has unpublished changes in the admin. Publish or discard them "
                "before importing a package of this course."
            )
            % {"title": course.title_zh}
        )
    if unchanged and course is not None:
        if questions_changed:
            audit_log_record(
                actor=by,
                action=AuditAction.COURSE_IMPORTED,
                target=course,
                data={"created": False, "digest": spec.digest, **counts},
            )
        if publish and not course.is_published:
            course = course_publish(course=course, by=by)
            return ImportResult(course=course, created=False, changed=True, **counts)
        return ImportResult(course=course, created=False, changed=questions_changed, **counts)
    course = course or Course(slug=spec.slug)
    course.topic = spec.topic
    course.audiences = spec.audiences
    course.scam_types = spec.scam_types
    course.position = spec.position
    course.title_zh, course.title_en = spec.title["zh-hans"], spec.title["en"]
    course.summary_zh, course.summary_en = spec.summary["zh-hans"], spec.summary["en"]
    course.package_digest = spec.digest
    course.save()

    modules = list(course.modules.order_by("position", "id"))
    existing = {lesson.slug: lesson for lesson in course.lessons.all()}
    kept: set[int] = set()
    for m, module_spec in enumerate(spec.modules):
        module = modules[m] if m < len(modules) else Module(course=course)
        module.position = m
        module.title_zh, module.title_en = module_spec.title["zh-hans"], module_spec.title["en"]
        module.save()
        for n, ls in enumerate(module_spec.lessons):
            lesson = existing.get(ls.slug) or Lesson(course=course, slug=ls.slug)
            lesson.module = module
            lesson.position = n
            lesson.minutes = ls.minutes
            lesson.title_zh, lesson.title_en = ls.title["zh-hans"], ls.title["en"]
            lesson.body_zh, lesson.body_en = ls.body["zh-hans"], ls.body["en"]
            lesson.video_url = ls.video_url
            if lesson.audio:
                track.replaced_files.append(lesson.audio.name or "")
            if ls.audio:
                lesson.audio.save(
                    posixpath.basename(ls.audio), ContentFile(spec.files[ls.audio]), save=False
                )
                track.written_files.append(lesson.audio.name or "")
            else:
                lesson.audio = ""
            lesson.check_scam_types = ls.check_scam_types
            lesson.check_question_count = ls.check_question_count
            lesson.retired = False
            lesson.save()
            kept.add(lesson.pk)
            for old in lesson.images.all():
                track.replaced_files += [old.image.name or "", *old.renditions.values()]
            lesson.images.all().delete()
            for i, image_spec in enumerate(ls.images):
                image = LessonImage(
                    lesson=lesson,
                    position=i,
                    alt_zh=image_spec.alt["zh-hans"],
                    alt_en=image_spec.alt["en"],
                )
                image.image.save(
                    posixpath.basename(image_spec.file),
                    ContentFile(spec.files[image_spec.file]),
                    save=False,
                )
                track.written_files.append(image.image.name or "")
                image.save()
                track.written_files += lesson_image_renditions_make(image=image).values()
    course.lessons.exclude(pk__in=kept).update(retired=True)
    audit_log_record(
        actor=by,
        action=AuditAction.COURSE_IMPORTED,
        target=course,
        data={"created": created, "digest": spec.digest, **counts},
    )
    if publish:
        course = course_publish(course=course, by=by)
    return ImportResult(course=course, created=created, changed=True, **counts)
