"""Checking a whole manifest, its lessons and the questions it carries, before the
database is touched."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from quizzes.models import Question
from quizzes.packages import (
    QuestionImageSpec,
    QuestionSpec,
    QuestionVersionSpec,
)
from quizzes.selectors import audience_choices, scam_type_choices

from ..models import Topic
from .archive import FORMAT, FORMAT_VERSION, LANGUAGES, MANIFEST, READABLE_VERSIONS, PackageError
from .checking import CourseSpec, LessonSpec, ModuleSpec, _audio, _Checker, _url


def parse_package(files: dict[str, bytes]) -> CourseSpec:
    """Check every part of a package; a CourseSpec only if all of it is importable."""
    c = _Checker(files)
    data = c.obj(_manifest_json(files), "(top level)")
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
    slug = _slug(c, data.get("slug"), "slug")
    topic = data.get("topic")
    if topic not in Topic.values:
        raise c.fail("topic", _("unknown code %(code)s") % {"code": topic})
    modules_data = data.get("modules")
    if not isinstance(modules_data, list) or not modules_data:
        raise c.fail("modules", _("must be a non-empty list"))
    seen: set[str] = set()
    scam_codes = [code for code, _name in scam_type_choices()]
    modules = [
        _module(c, module, f"modules[{m}]", seen, scam_codes)
        for m, module in enumerate(modules_data)
    ]
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


def _manifest_json(files: dict[str, bytes]) -> Any:
    if MANIFEST not in files:
        raise PackageError(_("The package has no %(name)s at its top level.") % {"name": MANIFEST})
    try:
        return json.loads(files[MANIFEST].decode("utf-8"))
    except UnicodeDecodeError as error:
        raise PackageError(_("%(name)s is not UTF-8 text.") % {"name": MANIFEST}) from error
    except json.JSONDecodeError as error:
        raise PackageError(
            _("%(name)s is not valid JSON (line %(line)s, column %(column)s: %(msg)s).")
            % {"name": MANIFEST, "line": error.lineno, "column": error.colno, "msg": error.msg}
        ) from error


def _slug(c: _Checker, value: Any, where: str) -> str:
    slug = c.text(value, where, max_length=80)
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise c.fail(where, _("must use only letters, digits, hyphens and underscores")) from error
    return slug


def _module(
    c: _Checker, value: Any, where: str, seen: set[str], scam_codes: list[str]
) -> ModuleSpec:
    """One module and its lessons; ``seen`` collects lesson slugs across the package."""
    module = c.obj(value, where)
    lessons_data = module.get("lessons")
    if not isinstance(lessons_data, list) or not lessons_data:
        raise c.fail(f"{where}.lessons", _("must be a non-empty list"))
    lessons = [
        _lesson(c, lesson, f"{where}.lessons[{n}]", seen, scam_codes)
        for n, lesson in enumerate(lessons_data)
    ]
    return ModuleSpec(title=c.localized(module.get("title"), f"{where}.title"), lessons=lessons)


def _lesson(c: _Checker, value: Any, lw: str, seen: set[str], scam_codes: list[str]) -> LessonSpec:
    lesson = c.obj(value, lw)
    lesson_slug = _slug(c, lesson.get("slug"), f"{lw}.slug")
    if lesson_slug in seen:
        raise c.fail(f"{lw}.slug", _("%(slug)s is used twice") % {"slug": lesson_slug})
    seen.add(lesson_slug)
    images = lesson.get("images") or []
    if not isinstance(images, list):
        raise c.fail(f"{lw}.images", _("must be a list"))
    return LessonSpec(
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


MAX_QUESTIONS = 2000
MAX_OPTIONS = 8
QUESTION_STATUSES = (Question.Status.PUBLISHED, Question.Status.DRAFT)


def _questions(c: _Checker, value: Any, scam_codes: list[str]) -> list[QuestionSpec]:
    """The package's questions, each checked as the question bank would accept it. Unknown
    scam-type or audience codes are refused, not created: codes are a contract with the risk
    systems (docs/transfer-checks.md), and adding one is an editor's decision in the admin."""
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
