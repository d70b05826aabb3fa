"""Exporting a course as a package that course_package_import reads back."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from quizzes.packages import (
    questions_export,
)

from ..models import Course
from .archive import FORMAT, FORMAT_VERSION, MANIFEST


def course_package_export(*, course: Course) -> bytes:
    """The course as a ZIP package (format version 2), readable by course_package_import:
    its lessons, their images and audio, and the questions its knowledge checks can draw
    (every language version, images included)."""
    files: dict[str, bytes] = {}
    modules = []
    check_scam_types: set[str] = set()
    for module in course.modules.order_by("position", "id"):
        lessons = []
        for lesson in module.lessons.filter(retired=False).order_by("position", "id"):
            body = {"zh-hans": f"lessons/{lesson.slug}.zh-hans.md"}
            files[body["zh-hans"]] = lesson.body_zh.encode()
            if lesson.body_en:
                body["en"] = f"lessons/{lesson.slug}.en.md"
                files[body["en"]] = lesson.body_en.encode()
            entry: dict[str, Any] = {
                "slug": lesson.slug,
                "minutes": lesson.minutes,
                "title": {"zh-hans": lesson.title_zh, "en": lesson.title_en},
                "body": body,
            }
            if lesson.video_url:
                entry["video_url"] = lesson.video_url
            if lesson.audio:
                name = f"audio/{lesson.slug}{Path(lesson.audio.name or '').suffix.lower()}"
                with lesson.audio.open("rb") as handle:
                    files[name] = handle.read()
                entry["audio"] = name
            if lesson.check_scam_types:
                check_scam_types.update(lesson.check_scam_types)
                entry["check_scam_types"] = list(lesson.check_scam_types)
                entry["check_question_count"] = lesson.check_question_count
            images = []
            for i, image in enumerate(lesson.images.all()):
                suffix = Path(image.image.name or "").suffix.lower() or ".png"
                name = f"images/{lesson.slug}-{i + 1}{suffix}"
                with image.image.open("rb") as handle:
                    files[name] = handle.read()
                images.append({"file": name, "alt": {"zh-hans": image.alt_zh, "en": image.alt_en}})
            if images:
                entry["images"] = images
            lessons.append(entry)
        if lessons:
            modules.append(
                {"title": {"zh-hans": module.title_zh, "en": module.title_en}, "lessons": lessons}
            )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "slug": course.slug,
        "topic": course.topic,
        "audiences": list(course.audiences),
        "scam_types": list(course.scam_types),
        "position": course.position,
        "title": {"zh-hans": course.title_zh, "en": course.title_en},
        "summary": {"zh-hans": course.summary_zh, "en": course.summary_en},
        "modules": modules,
    }
    if check_scam_types:
        manifest["questions"], question_files = questions_export(scam_types=check_scam_types)
        files.update(question_files)
    files[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)),
                files[name],
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()
