"""Re-importing a package leaves no file behind that nothing uses, and a failed import
neither deletes the files in use nor leaves new ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from edu.models import Course, Lesson, LessonImage
from edu.packages import PackageError, course_package_import
from quizzes.models import Question
from tests.edu.storages import FullDiskStorage
from tests.edu.test_package_questions import bank
from tests.edu.test_packages import OGG, fixture_files, manifest, with_manifest
from tests.quizzes.conftest import contract_codes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield settings.MEDIA_ROOT


def stored(media: Path) -> set[str]:
    return {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}


def referenced() -> set[str]:
    names = {lesson.audio.name for lesson in Lesson.objects.exclude(audio="")}
    for image in LessonImage.objects.all():
        names |= {image.image.name, *image.renditions.values()}
    return names | {q.image.name for q in Question.objects.exclude(image="")}


def package(colour: tuple[int, int, int], audio: bytes = OGG) -> dict[str, bytes]:
    """The fixture course with an image and audio on its first lesson, and the exported
    questions of its check with a scenario image in the given colour."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (700, 500), colour).save(out, format="PNG")
    files = fixture_files()
    data = manifest(files)
    lesson = data["modules"][0]["lessons"][0]
    lesson["images"] = [{"file": "images/scene.png", "alt": {"zh-hans": "场景"}}]
    lesson["audio"] = "audio/read.ogg"
    data["format_version"] = 2
    data["questions"] = [
        {
            "key": "police-photo",
            "scam_type": "impersonating_police",
            "kind": "single",
            "versions": {
                "zh-hans": {
                    "text": "这张“通缉令”可信吗？",
                    "explanation": "公检法不会通过网络发送通缉令。",
                    "options": [
                        {"text": "可信", "correct": False},
                        {"text": "不可信", "correct": True},
                    ],
                    "image": {"file": "questions/police-photo.png", "alt": "一张假通缉令"},
                }
            },
        }
    ]
    extra = {
        "images/scene.png": out.getvalue(),
        "questions/police-photo.png": out.getvalue(),
        "audio/read.ogg": audio,
    }
    return with_manifest({**files, **extra}, data)


@pytest.fixture
def imported(media: Path) -> set[str]:
    """The course imported once; the files it uses."""
    contract_codes()
    course_package_import(files=package((200, 30, 30)), by=None, publish=True)
    return referenced()


def test_after_a_reimport_commits_the_replaced_files_are_deleted(
    imported, media, django_capture_on_commit_callbacks
):
    # Given a course whose image, audio and question image are in storage
    assert imported and stored(media) == imported

    # When a package with other images and audio is imported
    with django_capture_on_commit_callbacks() as callbacks:
        course_package_import(files=package((30, 30, 200), OGG + b"v2"), by=None)
        before_commit = stored(media)
    for callback in callbacks:
        callback()

    # Then the old files stayed until the commit, and afterwards only used files remain
    now = referenced()
    assert imported <= before_commit and now <= before_commit
    assert not imported & now  # every file was replaced
    assert stored(media) == now


def test_a_failed_reimport_keeps_the_files_in_use_and_leaves_no_new_file(imported, media, settings):
    # Given a course in storage, and a disk with room for two more files only
    before = (stored(media), bank(), list(Course.objects.values_list("title_en", "version")))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.edu.storages.FullDiskStorage"},
    }
    FullDiskStorage.saves_left = 2

    # When a package that writes more files than that is imported
    with pytest.raises(PackageError, match="could not be saved") as error:
        course_package_import(files=package((30, 200, 30), OGG + b"v3"), by=None, publish=True)

    # Then the import stopped with a clear message, and files and rows are as they were
    assert "No space left on device" in str(error.value)
    assert FullDiskStorage.saves_left == 0  # it did write two files before failing
    assert (stored(media), bank(), list(Course.objects.values_list("title_en", "version"))) == (
        before
    )
