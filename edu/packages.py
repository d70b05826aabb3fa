"""Course packages: one course, its modules, lessons and images, in one versioned archive.

A package is a ZIP file (or, for content kept in git such as ``edu/demo_content``, a folder
of the same files) holding:

``course.json`` (the manifest, UTF-8 JSON)::

    {
      "format": "anquan-course-package",     # optional in a folder
      "format_version": 2,                   # optional, 1 when absent; 1 and 2 are read
      "slug": "recognise-common-scams",
      "topic": "anti_fraud",                 # edu.models.Topic
      "audiences": ["general"],              # codes of quizzes.Audience
      "scam_types": ["task_rebate"],         # codes of quizzes.ScamType, may be empty
      "position": 0,                          # optional, order in the catalogue
      "title": {"zh-hans": "…", "en": "…"},  # zh-hans required, en optional
      "summary": {"zh-hans": "…", "en": "…"},
      "modules": [{
        "title": {"zh-hans": "…", "en": "…"},
        "lessons": [{
          "slug": "why-scams-work", "minutes": 5,
          "title": {"zh-hans": "…", "en": "…"},
          "body": {"zh-hans": "lessons/why.zh-hans.md", "en": "lessons/why.en.md"},
          "video_url": "https://…",               # optional
          "audio": "audio/why.mp3",               # optional: MP3, M4A or Ogg
          "check_scam_types": ["task_rebate"],    # optional: a lesson-end knowledge check
          "check_question_count": 3,              # optional
          "images": [{"file": "images/a.png", "alt": {"zh-hans": "…", "en": "…"}}]
        }]
      }],
      "questions": [{                          # version 2: the questions the checks draw
        "key": "police-01", "scam_type": "impersonating_police", "audiences": ["general"],
        "difficulty": 1, "kind": "single",     # quizzes.Question.Kind
        "versions": {"zh-hans": {
          "status": "published", "text": "…", "scenario": "", "explanation": "…",
          "options": [{"text": "…", "correct": true}, {"text": "…", "correct": false}],
          "image": {"file": "questions/police-01.zh-hans.png", "alt": "…"}   # optional
        }, "en": {…}}
      }]
    }

and the files it names (Markdown lesson bodies, PNG/JPEG/WebP images). The questions of
knowledge checks live in the quizzes question bank; since version 2 a package also carries
the questions its checks can draw (both languages, with their images), created or updated
by key on import. Version 1 packages (no questions) are still read.

Importing is all or nothing: the whole archive is read and checked first (paths, sizes,
JSON, every field, every file named), and any problem raises :class:`PackageError` with a
clear message before the database is touched. Re-importing a course (same slug) updates it
in place: lessons are matched by slug, so learners' progress stays; lessons missing from
the new package are retired, not deleted. Importing the same content twice changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_slug
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.images import ImageRefused, image_open_safely, image_probe
from core.services import audit_log_record
from quizzes.models import Question
from quizzes.packages import (
    QuestionImageSpec,
    QuestionSpec,
    QuestionsWritten,
    QuestionVersionSpec,
    questions_export,
    questions_import,
)
from quizzes.selectors import audience_choices, scam_type_choices

from .models import Course, Lesson, LessonImage, Module, Topic

FORMAT = "anquan-course-package"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MANIFEST = "course.json"
LANGUAGES = ("zh-hans", "en")
IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}
MAX_IMAGE_PIXELS = 40_000_000


class PackageError(ValueError):
    """A package that cannot be imported; the message says why, for a person to read."""


# --- Reading files safely -------------------------------------------------------------------


def _limits() -> tuple[int, int, int]:
    return (
        settings.EDU_PACKAGE_MAX_BYTES,
        settings.EDU_PACKAGE_MAX_FILE_BYTES,
        settings.EDU_PACKAGE_MAX_FILES,
    )


def _safe_name(name: str) -> str:
    """A member name as a clean relative POSIX path, or PackageError (path traversal)."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        raise PackageError(_("The archive has an unsafe file name: %(name)s") % {"name": name})
    clean = posixpath.normpath(name)
    if clean.startswith("../") or clean == ".." or "/../" in f"/{clean}/":
        raise PackageError(_("The archive has an unsafe file name: %(name)s") % {"name": name})
    return clean


def read_zip(data: bytes) -> dict[str, bytes]:
    """The files of a ZIP package, checked for traversal, links, size and count."""
    max_total, max_file, max_files = _limits()
    if len(data) > max_total:
        raise PackageError(
            _("The archive is larger than the allowed %(size)s.")
            % {"size": filesizeformat(max_total)}
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as error:
        raise PackageError(_("This is not a ZIP archive (or it is damaged).")) from error
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > max_files:
        raise PackageError(_("The archive holds more than %(n)s files.") % {"n": max_files})
    files: dict[str, bytes] = {}
    total = 0
    for info in members:
        name = _safe_name(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise PackageError(_("The archive contains a link: %(name)s") % {"name": name})
        if info.file_size > max_file:
            raise PackageError(_("A file in the archive is too large: %(name)s") % {"name": name})
        total += info.file_size
        if total > max_total:
            raise PackageError(
                _("The archive unpacks to more than the allowed %(size)s.")
                % {"size": filesizeformat(max_total)}
            )
        try:
            with archive.open(info) as member:
                # Never trust the declared size: read one byte past the limit.
                content = member.read(max_file + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
            raise PackageError(
                _("A file in the archive cannot be read: %(name)s") % {"name": name}
            ) from error
        if len(content) > max_file or len(content) != info.file_size:
            raise PackageError(_("A file in the archive is too large: %(name)s") % {"name": name})
        if name in files:
            raise PackageError(
                _("The archive holds the same file twice: %(name)s") % {"name": name}
            )
        files[name] = content
    return files


def read_folder(folder: Path) -> dict[str, bytes]:
    """The files of a package kept as a folder (same rules as an archive)."""
    max_total, max_file, max_files = _limits()
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise PackageError(_("The archive contains a link: %(name)s") % {"name": path.name})
        if not path.is_file():
            continue
        name = _safe_name(path.relative_to(folder).as_posix())
        size = path.stat().st_size
        total += size
        if size > max_file or total > max_total or len(files) >= max_files:
            raise PackageError(_("A file in the archive is too large: %(name)s") % {"name": name})
        files[name] = path.read_bytes()
    return files


# --- Checking the manifest ------------------------------------------------------------------


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


def parse_package(files: dict[str, bytes]) -> CourseSpec:
    """Check every part of a package; a CourseSpec only if all of it is importable."""
    if MANIFEST not in files:
        raise PackageError(_("The package has no %(name)s at its top level.") % {"name": MANIFEST})
    try:
        data = json.loads(files[MANIFEST].decode("utf-8"))
    except UnicodeDecodeError as error:
        raise PackageError(_("%(name)s is not UTF-8 text.") % {"name": MANIFEST}) from error
    except json.JSONDecodeError as error:
        raise PackageError(
            _("%(name)s is not valid JSON (line %(line)s, column %(column)s: %(msg)s).")
            % {"name": MANIFEST, "line": error.lineno, "column": error.colno, "msg": error.msg}
        ) from error
    c = _Checker(files)
    data = c.obj(data, "(top level)")
    if data.get("format", FORMAT) != FORMAT:
        raise c.fail("format", _("must be %(format)s") % {"format": FORMAT})
    version = data.get("format_version", 1)
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise c.fail(
            "format_version",
            _("version %(version)s is not supported (this site reads versions 1 to %(ours)s)")
            % {"version": version, "ours": FORMAT_VERSION},
        )
    if version < 2 and "questions" in data:
        raise c.fail("questions", _("needs format_version 2 or later"))
    slug = c.text(data.get("slug"), "slug", max_length=80)
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise c.fail("slug", _("must use only letters, digits, hyphens and underscores")) from error
    topic = data.get("topic")
    if topic not in Topic.values:
        raise c.fail("topic", _("unknown code %(code)s") % {"code": topic})
    modules_data = data.get("modules")
    if not isinstance(modules_data, list) or not modules_data:
        raise c.fail("modules", _("must be a non-empty list"))
    modules: list[ModuleSpec] = []
    seen: set[str] = set()
    scam_codes = [code for code, _name in scam_type_choices()]
    for m, module in enumerate(modules_data):
        where = f"modules[{m}]"
        module = c.obj(module, where)
        lessons_data = module.get("lessons")
        if not isinstance(lessons_data, list) or not lessons_data:
            raise c.fail(f"{where}.lessons", _("must be a non-empty list"))
        lessons = []
        for n, lesson in enumerate(lessons_data):
            lw = f"{where}.lessons[{n}]"
            lesson = c.obj(lesson, lw)
            lesson_slug = c.text(lesson.get("slug"), f"{lw}.slug", max_length=80)
            try:
                validate_slug(lesson_slug)
            except ValidationError as error:
                raise c.fail(
                    f"{lw}.slug", _("must use only letters, digits, hyphens and underscores")
                ) from error
            if lesson_slug in seen:
                raise c.fail(f"{lw}.slug", _("%(slug)s is used twice") % {"slug": lesson_slug})
            seen.add(lesson_slug)
            images = lesson.get("images") or []
            if not isinstance(images, list):
                raise c.fail(f"{lw}.images", _("must be a list"))
            lessons.append(
                LessonSpec(
                    slug=lesson_slug,
                    minutes=c.integer(lesson.get("minutes", 5), f"{lw}.minutes", 1, 240),
                    title=c.localized(lesson.get("title"), f"{lw}.title"),
                    body=c.markdown(lesson.get("body"), f"{lw}.body"),
                    video_url=_url(c, lesson.get("video_url"), f"{lw}.video_url"),
                    audio=_audio(c, lesson.get("audio"), f"{lw}.audio"),
                    check_scam_types=c.codes(
                        lesson.get("check_scam_types"), f"{lw}.check_scam_types", scam_codes
                    ),
                    check_question_count=c.integer(
                        lesson.get("check_question_count", 3), f"{lw}.check_question_count", 1, 10
                    ),
                    images=[c.image(image, f"{lw}.images[{i}]") for i, image in enumerate(images)],
                )
            )
        modules.append(
            ModuleSpec(title=c.localized(module.get("title"), f"{where}.title"), lessons=lessons)
        )
    questions = _questions(c, data.get("questions"), scam_codes)
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return CourseSpec(
        slug=slug,
        topic=topic,
        audiences=c.codes(data.get("audiences"), "audiences", [a for a, _ in audience_choices()]),
        scam_types=c.codes(data.get("scam_types"), "scam_types", scam_codes),
        position=c.integer(data.get("position", 0), "position", 0, 10_000),
        title=c.localized(data.get("title"), "title"),
        summary=c.localized(data.get("summary"), "summary", max_length=2000),
        modules=modules,
        questions=questions,
        digest=digest.hexdigest(),
        files=files,
    )


MAX_QUESTIONS = 2000
MAX_OPTIONS = 8
QUESTION_STATUSES = (Question.Status.PUBLISHED, Question.Status.DRAFT)


def _questions(c: _Checker, value: Any, scam_codes: list[str]) -> list[QuestionSpec]:
    """The package's questions, each checked as the question bank would accept it. Unknown
    scam-type or audience codes are refused, not created: codes are a contract with the risk
    systems (DESIGN.md), and adding one is an editor's decision in the admin."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise c.fail("questions", _("must be a list"))
    if len(value) > MAX_QUESTIONS:
        raise c.fail("questions", _("holds more than %(n)s questions") % {"n": MAX_QUESTIONS})
    audience_codes = [a for a, _name in audience_choices()]
    out: list[QuestionSpec] = []
    keys: set[str] = set()
    for q, entry in enumerate(value):
        where = f"questions[{q}]"
        entry = c.obj(entry, where)
        key = c.text(entry.get("key"), f"{where}.key", max_length=60)
        try:
            validate_slug(key)
        except ValidationError as error:
            raise c.fail(
                f"{where}.key", _("must use only letters, digits, hyphens and underscores")
            ) from error
        if key in keys:
            raise c.fail(f"{where}.key", _("%(slug)s is used twice") % {"slug": key})
        keys.add(key)
        scam_type = entry.get("scam_type")
        if not isinstance(scam_type, str) or scam_type not in scam_codes:
            raise c.fail(
                f"{where}.scam_type",
                _("unknown code %(code)s (add the scam type in the admin first)")
                % {"code": scam_type},
            )
        kind = entry.get("kind")
        if not isinstance(kind, str) or kind not in Question.Kind.values:
            raise c.fail(f"{where}.kind", _("unknown code %(code)s") % {"code": kind})
        versions_data = c.obj(entry.get("versions"), f"{where}.versions")
        unknown = set(versions_data) - set(LANGUAGES)
        if unknown:
            raise c.fail(
                f"{where}.versions", _("unknown language %(code)s") % {"code": sorted(unknown)[0]}
            )
        if not versions_data:
            raise c.fail(f"{where}.versions", _("must hold at least one language"))
        versions = [
            QuestionVersionSpec(
                language=language,
                **_question_version(
                    c, versions_data[language], f"{where}.versions.{language}", kind
                ),
            )
            for language in LANGUAGES
            if language in versions_data
        ]
        if len({tuple(correct for _t, correct in v.options) for v in versions}) > 1:
            raise c.fail(
                f"{where}.versions", _("the language versions differ in their correct options")
            )
        out.append(
            QuestionSpec(
                key=key,
                scam_type=scam_type,
                audiences=c.codes(entry.get("audiences"), f"{where}.audiences", audience_codes),
                difficulty=c.integer(entry.get("difficulty", 1), f"{where}.difficulty", 1, 3),
                kind=kind,
                versions=versions,
            )
        )
    return out


def _question_version(c: _Checker, value: Any, where: str, kind: str) -> dict[str, Any]:
    value = c.obj(value, where)
    status = value.get("status", Question.Status.PUBLISHED)
    if status not in QUESTION_STATUSES:
        raise c.fail(f"{where}.status", _("unknown code %(code)s") % {"code": status})
    scenario = c.text(value.get("scenario"), f"{where}.scenario", max_length=4000, required=False)
    if kind == Question.Kind.SCENARIO and not scenario:
        raise c.fail(f"{where}.scenario", _("a scenario question needs its scenario"))
    options_data = value.get("options")
    if not isinstance(options_data, list) or not 2 <= len(options_data) <= MAX_OPTIONS:
        raise c.fail(
            f"{where}.options",
            _("must be a list of %(low)s to %(high)s options") % {"low": 2, "high": MAX_OPTIONS},
        )
    options: list[tuple[str, bool]] = []
    for o, option in enumerate(options_data):
        option = c.obj(option, f"{where}.options[{o}]")
        correct = option.get("correct", False)
        if not isinstance(correct, bool):
            raise c.fail(f"{where}.options[{o}].correct", _("must be true or false"))
        options.append(
            (c.text(option.get("text"), f"{where}.options[{o}].text", max_length=500), correct)
        )
    right = sum(correct for _text, correct in options)
    if kind == Question.Kind.MULTIPLE and right < 1:
        raise c.fail(f"{where}.options", _("needs at least one correct option"))
    if kind != Question.Kind.MULTIPLE and right != 1:
        raise c.fail(f"{where}.options", _("needs exactly one correct option"))
    if kind == Question.Kind.TRUE_FALSE and len(options) != 2:
        raise c.fail(f"{where}.options", _("a true/false question has exactly two options"))
    image = None
    if value.get("image") is not None:
        image_value = c.obj(value.get("image"), f"{where}.image")
        name = c.image_file(image_value.get("file"), f"{where}.image")
        alt = c.text(image_value.get("alt"), f"{where}.image.alt", max_length=300, required=False)
        image = QuestionImageSpec(name=name, data=c.files[name], alt=alt)
    return {
        "status": status,
        "text": c.text(value.get("text"), f"{where}.text", max_length=2000),
        "scenario": scenario,
        "explanation": c.text(value.get("explanation"), f"{where}.explanation", max_length=4000),
        "options": options,
        "image": image,
    }


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


# --- Import and export ----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    course: Course
    created: bool
    changed: bool
    questions_created: int = 0
    questions_updated: int = 0


def _storage_delete(names: list[str]) -> None:
    from .images import stored_files_delete

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
    from .images import lesson_image_renditions_make
    from .services import course_publish

    questions = questions_import(specs=spec.questions, into=track)
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
                action="course.imported",
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
        action="course.imported",
        target=course,
        data={"created": created, "digest": spec.digest, **counts},
    )
    if publish:
        course = course_publish(course=course, by=by)
    return ImportResult(course=course, created=created, changed=True, **counts)


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
