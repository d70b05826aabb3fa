"""The parsed package as plain data (specs), and the checker that turns a manifest's
values into them with a message naming the field at fault."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from core.images import ImageRefused, image_open_safely, image_probe
from quizzes.packages import (
    QuestionSpec,
)

from .archive import IMAGE_FORMATS, LANGUAGES, MANIFEST, MAX_IMAGE_PIXELS, PackageError, _safe_name


@dataclass
class ImageSpec:
    file: str
    alt: dict[str, str]


@dataclass
class LessonSpec:
    slug: str
    minutes: int
    title: dict[str, str]
    body: dict[str, str]
    video_url: str
    audio: str
    check_scam_types: list[str]
    check_question_count: int
    images: list[ImageSpec]


@dataclass
class ModuleSpec:
    title: dict[str, str]
    lessons: list[LessonSpec]


@dataclass
class CourseSpec:
    slug: str
    topic: str
    audiences: list[str]
    scam_types: list[str]
    position: int
    title: dict[str, str]
    summary: dict[str, str]
    modules: list[ModuleSpec]
    questions: list[QuestionSpec]
    digest: str
    files: dict[str, bytes]


class _Checker:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def fail(self, where: str, message: str) -> PackageError:
        return PackageError(f"{MANIFEST} {where}: {message}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, _("must be an object"))
        return value

    def text(self, value: Any, where: str, *, max_length: int = 200, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(where, _("must be a non-empty text"))
        if len(value) > max_length:
            raise self.fail(where, _("is longer than %(n)s characters") % {"n": max_length})
        return value.strip()

    def localized(self, value: Any, where: str, *, max_length: int = 200) -> dict[str, str]:
        value = self.obj(value, where)
        unknown = set(value) - set(LANGUAGES)
        if unknown:
            raise self.fail(where, _("unknown language %(code)s") % {"code": sorted(unknown)[0]})
        out = {
            "zh-hans": self.text(value.get("zh-hans"), f"{where}.zh-hans", max_length=max_length)
        }
        out["en"] = self.text(value.get("en"), f"{where}.en", max_length=max_length, required=False)
        return out

    def codes(self, value: Any, where: str, allowed: list[str]) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, _("must be a list of codes"))
        for code in value:
            if code not in allowed:
                raise self.fail(where, _("unknown code %(code)s") % {"code": code})
        return list(dict.fromkeys(value))

    def integer(self, value: Any, where: str, low: int, high: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(
                where,
                _("must be a whole number from %(low)s to %(high)s") % {"low": low, "high": high},
            )
        return value

    def file(self, value: Any, where: str) -> str:
        name = _safe_name(self.text(value, where, max_length=300))
        if name not in self.files:
            raise self.fail(
                where, _("names a file that is not in the package: %(name)s") % {"name": name}
            )
        return name

    def markdown(self, value: Any, where: str) -> dict[str, str]:
        value = self.obj(value, where)
        out: dict[str, str] = {}
        for language in LANGUAGES:
            if language == "en" and not value.get("en"):
                out["en"] = ""
                continue
            name = self.file(value.get(language), f"{where}.{language}")
            try:
                out[language] = self.files[name].decode("utf-8")
            except UnicodeDecodeError as error:
                raise self.fail(where, _("%(name)s is not UTF-8 text") % {"name": name}) from error
        return out

    def image(self, value: Any, where: str) -> ImageSpec:
        value = self.obj(value, where)
        name = self.image_file(value.get("file"), where)
        return ImageSpec(
            file=name, alt=self.localized(value.get("alt"), f"{where}.alt", max_length=300)
        )

    def image_file(self, value: Any, where: str) -> str:
        """The name of a PNG, JPEG or WebP file in the package that Pillow fully decodes."""
        name = self.file(value, f"{where}.file")
        try:
            # Fully decoded and verified, with the pixel limit checked before decoding.
            image = image_open_safely(self.files[name], max_pixels=MAX_IMAGE_PIXELS)
            image_format = image_probe(self.files[name], max_pixels=MAX_IMAGE_PIXELS).format
        except ImageRefused as error:
            if error.code == "too_many_pixels":
                raise self.fail(
                    where, _("%(name)s has too many pixels") % {"name": name}
                ) from error
            raise self.fail(
                where, _("%(name)s is not a readable image") % {"name": name}
            ) from error
        image.close()
        if image_format not in IMAGE_FORMATS:
            raise self.fail(where, _("%(name)s is not a PNG, JPEG or WebP image") % {"name": name})
        return name


def _looks_like_audio(suffix: str, data: bytes) -> bool:
    """The file's first bytes match its kind (a renamed script or page is refused)."""
    if suffix == ".ogg":
        return data.startswith(b"OggS")
    if suffix == ".m4a":
        return data[4:8] == b"ftyp"
    if suffix == ".mp3":
        return data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] >= 0xE0)
    return False


def _audio(c: _Checker, value: Any, where: str) -> str:
    if not value:
        return ""
    name = c.file(value, where)
    if not _looks_like_audio(posixpath.splitext(name)[1].lower(), c.files[name]):
        raise c.fail(where, _("%(name)s is not an MP3, M4A or Ogg file") % {"name": name})
    return name


def _url(c: _Checker, value: Any, where: str) -> str:
    if not value:
        return ""
    text = c.text(value, where, max_length=200)
    if not text.startswith("https://"):
        raise c.fail(where, _("must be an https:// link"))
    return text
