"""Demo questions: ``quizzes/demo_content/questions.json`` (format in the content brief).

``questions_load`` is idempotent, keyed by ``key`` + language: loading the same file twice
changes nothing, loading an edited file updates the questions and their options in place
(their ids, and so learners' attempts and open transfer checks, stay valid).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from .models import Audience, Question, Quiz, ScamType
from .packages import QuestionSpec, QuestionVersionSpec, questions_import

DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "demo_content" / "questions.json"
LANGUAGES = ("zh-hans", "en")


class QuestionFileError(ValueError):
    """The file does not follow the agreed format; the message names the question."""


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def _check(entry: dict[str, Any], scam_types: set[str], audiences: set[str]) -> None:
    key = entry.get("key", "?")

    def fail(why: str) -> None:
        raise QuestionFileError(f"question {key}: {why}")

    if entry.get("scam_type") not in scam_types:
        fail(f"unknown scam type {entry.get('scam_type')!r}")
    unknown = set(entry.get("audiences", [])) - audiences
    if unknown:
        fail(f"unknown audiences {sorted(unknown)}")
    if entry.get("kind") not in Question.Kind.values:
        fail(f"unknown kind {entry.get('kind')!r}")
    if entry.get("difficulty") not in (1, 2, 3):
        fail("difficulty must be 1, 2 or 3")
    versions = entry.get("versions") or {}
    if set(versions) != set(LANGUAGES):
        fail("needs exactly the versions zh-hans and en")
    counts = set()
    for language, version in versions.items():
        options = version.get("options") or []
        correct = [o for o in options if o.get("correct")]
        if not version.get("text") or not version.get("explanation"):
            fail(f"{language}: text and explanation are required")
        if entry["kind"] == "multiple" and len(correct) < 2:
            fail(f"{language}: a multiple-choice question needs two or more correct options")
        if entry["kind"] != "multiple" and len(correct) != 1:
            fail(f"{language}: needs exactly one correct option")
        if entry["kind"] == "true_false" and len(options) != 2:
            fail(f"{language}: a true/false question has exactly two options")
        if entry["kind"] == "scenario" and not version.get("scenario"):
            fail(f"{language}: a scenario question needs its scenario")
        counts.add(tuple(bool(o.get("correct")) for o in options))
    if len(counts) != 1:
        fail("the language versions differ in their options")


@transaction.atomic
def questions_load(*, entries: list[dict[str, Any]]) -> LoadResult:
    """Create or update published questions from parsed file entries, through the question
    bank's importer (``quizzes.packages.questions_import``: in place by key + language,
    option ids kept). All or nothing: a malformed entry raises :class:`QuestionFileError`
    and nothing is written."""
    scam_types = set(ScamType.objects.values_list("code", flat=True))
    audiences = set(Audience.objects.values_list("code", flat=True))
    keys = [e.get("key") for e in entries]
    if len(keys) != len(set(keys)):
        raise QuestionFileError("duplicate question keys")
    for entry in entries:
        _check(entry, scam_types, audiences)
    written = questions_import(
        specs=[
            QuestionSpec(
                key=entry["key"],
                scam_type=entry["scam_type"],
                audiences=list(entry.get("audiences", [])),
                difficulty=entry["difficulty"],
                kind=entry["kind"],
                versions=[
                    QuestionVersionSpec(
                        language=language,
                        status=Question.Status.PUBLISHED,
                        text=version["text"],
                        scenario=version.get("scenario", ""),
                        explanation=version["explanation"],
                        options=[(o["text"], bool(o.get("correct"))) for o in version["options"]],
                        image=None,
                    )
                    for language, version in (
                        (language, entry["versions"][language]) for language in LANGUAGES
                    )
                ],
            )
            for entry in entries
        ]
    )
    return LoadResult(created=written.created, updated=written.updated, unchanged=written.unchanged)


def quizzes_seed() -> None:
    """A mixed quiz and one quiz per scam type, drawn by rule."""
    Quiz.objects.get_or_create(
        slug="mixed",
        defaults={
            "title_zh_hans": "防骗综合测试",
            "title_en": "Mixed scam-awareness quiz",
            "question_count": 8,
            "is_published": True,
        },
    )
    for scam_type in ScamType.objects.all():
        Quiz.objects.get_or_create(
            slug=scam_type.code.replace("_", "-"),
            defaults={
                "title_zh_hans": f"自测：{scam_type.name_zh_hans}",
                "title_en": f"Self-test: {scam_type.name_en}",
                "scam_type": scam_type,
                "question_count": 5,
                "is_published": True,
            },
        )


def demo_questions_seed(path: Path = DEFAULT_QUESTIONS) -> LoadResult:
    """seed_demo's part: the question file and the learners' quizzes. Idempotent."""
    result = questions_load(entries=json.loads(path.read_text("utf-8")))
    quizzes_seed()
    return result


def demo_seed() -> list[str]:
    """seed_demo's part (core/demo.py): runs before edu, whose courses link these questions."""
    demo_questions_seed()
    return []
