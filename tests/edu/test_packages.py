"""Course packages: export → import round trip, re-import in place, hostile archives."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from PIL import Image

from core.audit import AuditAction
from core.models import AuditLog
from edu import services
from edu.models import Course, Lesson, LessonProgress
from edu.packages import (
    PackageError,
    course_package_export,
    course_package_import,
    read_folder,
    read_zip,
)
from tests.edu.conftest import FIXTURE_COURSE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messages_in_english():
    with translation.override("en"):
        yield


OGG = b"OggS" + bytes(200)  # the start of an Ogg stream; enough for the format check


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def fixture_files() -> dict[str, bytes]:
    return read_folder(FIXTURE_COURSE)


def manifest(files: dict[str, bytes]) -> dict:
    return json.loads(files["course.json"])


def with_manifest(files: dict[str, bytes], data: dict) -> dict[str, bytes]:
    return {**files, "course.json": json.dumps(data).encode()}


def png_bytes(size=(1200, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def snapshot() -> tuple:
    return (
        list(Course.objects.values_list("slug", "title_zh", "version")),
        list(Lesson.objects.values_list("slug", "title_zh", "retired")),
    )


def test_an_exported_course_imports_into_another_deployment_unchanged(course):
    # Given a course with an image on its first lesson
    files = fixture_files()
    data = manifest(files)
    data["modules"][0]["lessons"][0]["images"] = [
        {"file": "images/phone.png", "alt": {"zh-hans": "一部手机", "en": "A phone"}}
    ]
    data["modules"][0]["lessons"][0]["audio"] = "audio/read-aloud.ogg"
    files = {**files, "images/phone.png": png_bytes(), "audio/read-aloud.ogg": OGG}
    files = with_manifest(files, data)
    course = course_package_import(files=files, by=None, publish=True).course
    archive = course_package_export(course=course)

    # When the archive is imported where the course does not exist
    Course.objects.all().delete()
    result = course_package_import(files=read_zip(archive), by=None, publish=True)

    # Then the same course, lessons, texts and image come back
    imported = result.course
    assert result.created
    assert imported.title_en == "Test course: seeing through fake police"
    lessons = list(imported.lessons.order_by("module__position", "position"))
    assert [lesson.slug for lesson in lessons] == ["no-safe-account", "hang-up", "call-96110"]
    assert lessons[1].check_scam_types == ["impersonating_police"]
    assert lessons[1].body_en == ""
    image = lessons[0].images.get()
    assert image.alt_en == "A phone"
    assert sorted(image.renditions, key=int) == ["480", "960"]
    assert (image.width, image.height) == (1200, 800)
    with lessons[0].audio.open("rb") as handle:
        assert handle.read() == OGG


def test_reimporting_updates_in_place_and_learners_keep_their_progress(course):
    user = UserFactory()
    first = course.lessons.get(slug="no-safe-account")
    services.lesson_complete(user=user, lesson=first)
    data = manifest(fixture_files())
    data["title"]["en"] = "A better title"
    dropped = data["modules"][1]["lessons"].pop()  # call-96110 leaves the course
    data["modules"][1]["lessons"].append({**dropped, "slug": "report-it"})

    result = course_package_import(
        files=with_manifest(fixture_files(), data), by=None, publish=True
    )

    assert not result.created and result.changed
    assert result.course.pk == course.pk
    assert result.course.title_en == "A better title"
    assert result.course.version == 2
    assert LessonProgress.objects.filter(user=user, lesson=first).exists()
    assert course.lessons.get(slug="call-96110").retired
    assert not course.lessons.get(slug="report-it").retired
    assert AuditLog.objects.filter(action=AuditAction.COURSE_IMPORTED).count() == 2


def test_importing_the_same_package_again_changes_nothing(course):
    before = snapshot()

    result = course_package_import(files=fixture_files(), by=None, publish=True)

    assert not result.changed
    assert snapshot() == before


def traversal_zip() -> bytes:
    return zip_of({**fixture_files(), "../../etc/evil.md": b"x"})


def absolute_zip() -> bytes:
    return zip_of({**fixture_files(), "/etc/evil.md": b"x"})


def bomb_zip() -> bytes:
    # 9 MB of zeros compress to a few KB: larger than the per-file limit once unpacked.
    return zip_of({**fixture_files(), "lessons/bomb.md": b"\0" * (9 * 1024 * 1024)})


def fake_audio_zip() -> bytes:
    files = fixture_files()
    data = manifest(files)
    data["modules"][0]["lessons"][0]["audio"] = "audio/x.ogg"
    return zip_of(with_manifest({**files, "audio/x.ogg": b"#!/bin/sh\nrm -rf /"}, data))


def bad_json_zip() -> bytes:
    return zip_of({**fixture_files(), "course.json": b'{"slug": "x", '})


def missing_body_zip() -> bytes:
    files = fixture_files()
    del files["lessons/hang-up.zh-hans.md"]
    return zip_of(files)


def unknown_topic_zip() -> bytes:
    files = fixture_files()
    return zip_of(with_manifest(files, {**manifest(files), "topic": "lottery"}))


def fake_image_zip() -> bytes:
    files = fixture_files()
    data = manifest(files)
    data["modules"][0]["lessons"][0]["images"] = [
        {"file": "images/x.png", "alt": {"zh-hans": "图"}}
    ]
    return zip_of(with_manifest({**files, "images/x.png": b"<svg onload=alert(1)>"}, data))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (traversal_zip, "unsafe file name"),
        (absolute_zip, "unsafe file name"),
        (bomb_zip, "too large"),
        (bad_json_zip, "not valid JSON (line 1"),
        (missing_body_zip, "not in the package: lessons/hang-up.zh-hans.md"),
        (unknown_topic_zip, "topic: unknown code lottery"),
        (fake_image_zip, "not a readable image"),
        (fake_audio_zip, "not an MP3, M4A or Ogg file"),
        (lambda: b"PK\x03\x04 not really a zip", "not a ZIP archive"),
    ],
)
def test_a_hostile_or_broken_archive_is_rejected_with_a_clear_message_and_changes_nothing(
    course, make, message
):
    before = snapshot()

    with pytest.raises(PackageError, match=re.escape(message)):
        course_package_import(files=read_zip(make()), by=None, publish=True)

    assert snapshot() == before


def test_an_archive_over_the_total_limit_is_refused_before_reading(settings):
    settings.EDU_PACKAGE_MAX_BYTES = 1000

    with pytest.raises(PackageError, match="larger than the allowed"):
        read_zip(zip_of({"course.json": b"{}", "a.md": os.urandom(3000)}))


def test_the_management_command_imports_and_reports_a_broken_package(tmp_path: Path, db):
    good = tmp_path / "good.zip"
    good.write_bytes(zip_of(fixture_files()))
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bad_json_zip())
    out = io.StringIO()

    call_command("import_course_package", str(good), "--publish", stdout=out)
    with pytest.raises(CommandError, match=r"not imported: course\.json is not valid JSON"):
        call_command("import_course_package", str(bad))

    assert "fixture-course" in out.getvalue()
    assert Course.objects.get().is_published
