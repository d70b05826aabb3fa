"""Questions in portable form, for edu's course packages (``edu.packages``).

A course package carries the questions its lessons' knowledge checks can draw, so the course
works in a deployment whose bank does not have them. This module is the question bank's side
of that: which rows travel (:func:`questions_for_checks`), how they are written out
(:func:`questions_export`) and how checked specs are written back
(:func:`questions_import`), created or updated in place by ``key`` + language. Checking the
package's JSON is edu's job (it owns the format and its error messages); what arrives here
is already valid.

The entry format is the one of ``quizzes/demo_content/questions.json`` with two optional
additions per language version: ``status`` and ``image``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from .models import Audience, Option, Question, ScamType
from .services.questions import QuestionNotPublishable, question_publish_refusal


@dataclass(frozen=True)
class QuestionImageSpec:
    name: str  # the file's name in the package
    data: bytes
    alt: str


@dataclass(frozen=True)
class QuestionVersionSpec:
    language: str
    status: str
    text: str
    scenario: str
    explanation: str
    options: list[tuple[str, bool]]  # (text, correct), in order
    image: QuestionImageSpec | None


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    scam_type: str
    audiences: list[str]
    difficulty: int
    kind: str
    versions: list[QuestionVersionSpec]


@dataclass
class QuestionsWritten:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Storage names this import wrote, and names it stopped using (for the caller to delete
    # after commit, or to delete the written ones when the transaction fails).
    written_files: list[str] = field(default_factory=list)
    replaced_files: list[str] = field(default_factory=list)


def questions_for_checks(*, scam_types: Iterable[str]) -> QuerySet[Question]:
    """Every language row of each question a check over ``scam_types`` can draw: the keys
    with a published row of one of these types. Options, scam type and audiences loaded."""
    keys = Question.objects.filter(
        status=Question.Status.PUBLISHED, scam_type__code__in=list(scam_types)
    ).values("key")
    return (
        Question.objects.filter(key__in=keys)
        .select_related("scam_type")
        .prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("position", "id")), "audiences"
        )
        .order_by("key", "language")
    )


def questions_export(*, scam_types: Iterable[str]) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """The questions checks over ``scam_types`` can draw, as package entries (one per key,
    its language versions inside) and the image files they name."""
    entries: dict[str, dict[str, Any]] = {}
    files: dict[str, bytes] = {}
    for question in questions_for_checks(scam_types=scam_types):
        entry = entries.setdefault(
            question.key,
            {
                "key": question.key,
                "scam_type": question.scam_type.code,
                "audiences": sorted(a.code for a in question.audiences.all()),
                "difficulty": question.difficulty,
                "kind": question.kind,
                "versions": {},
            },
        )
        version: dict[str, Any] = {
            "status": question.status,
            "text": question.text,
            "scenario": question.scenario,
            "options": [{"text": o.text, "correct": o.is_correct} for o in question.options.all()],
            "explanation": question.explanation,
        }
        if question.image:
            suffix = PurePosixPath(question.image.name or "").suffix.lower() or ".png"
            name = f"questions/{question.key}.{question.language}{suffix}"
            with question.image.open("rb") as handle:
                files[name] = handle.read()
            version["image"] = {"file": name, "alt": question.image_alt}
        entry["versions"][question.language] = version
    return list(entries.values()), files


def _stored_bytes(question: Question) -> bytes | None:
    if not question.image:
        return None
    try:
        with question.image.open("rb") as handle:
            data: bytes = handle.read()
            return data
    except OSError:  # the row names a file that is gone: treat as different
        return None


def _same(
    question: Question, spec: QuestionSpec, version: QuestionVersionSpec, audiences: list[str]
) -> bool:
    return (
        question.scam_type.code == spec.scam_type
        and question.difficulty == spec.difficulty
        and question.kind == spec.kind
        and question.status == version.status
        and question.text == version.text
        and question.scenario == version.scenario
        and question.explanation == version.explanation
        and question.image_alt == (version.image.alt if version.image else "")
        and sorted(a.code for a in question.audiences.all()) == audiences
        and [(o.text, o.is_correct) for o in question.options.all()] == version.options
    )


@transaction.atomic
def questions_import(
    *, specs: list[QuestionSpec], into: QuestionsWritten | None = None
) -> QuestionsWritten:
    """Create or update questions by ``key`` + language from checked specs. Atomic (a
    savepoint inside the caller's transaction). Idempotent: the same specs again change
    nothing. Options are updated in place by position, so the option ids of learners'
    attempts and transfer checks stay valid. Language rows of a key that the specs do not
    carry are left alone. Scam types and audiences must exist (the caller checks). Counts
    and file names go to ``into`` as they happen (so a caller whose transaction fails knows
    which files were already written).

    A version to be published must pass ``question_publish_refusal``; else
    :class:`QuestionNotPublishable` is raised, naming the key and language, before anything
    is written."""
    for spec in specs:
        for version in spec.versions:
            if version.status != Question.Status.PUBLISHED:
                continue
            refusal = question_publish_refusal(
                kind=spec.kind, correct=[correct for _text, correct in version.options]
            )
            if refusal is not None:
                raise QuestionNotPublishable(
                    f"{spec.key} [{version.language}]: {refusal}", key=spec.key
                )
    scam_types = {s.code: s for s in ScamType.objects.filter(code__in={s.scam_type for s in specs})}
    audiences = {a.code: a for a in Audience.objects.all()}
    existing = {
        (q.key, q.language): q
        for q in Question.objects.filter(key__in=[s.key for s in specs])
        .select_related("scam_type")
        .prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("position", "id")), "audiences"
        )
    }
    out = into if into is not None else QuestionsWritten()
    for spec in specs:
        wanted_audiences = sorted(set(spec.audiences))
        for version in spec.versions:
            question = existing.get((spec.key, version.language))
            old_image = _stored_bytes(question) if question is not None else None
            new_image = version.image.data if version.image else None
            if (
                question is not None
                and old_image == new_image
                and _same(question, spec, version, wanted_audiences)
            ):
                out.unchanged += 1
                continue
            if question is None:
                question = Question(key=spec.key, language=version.language)
                out.created += 1
            else:
                out.updated += 1
            question.scam_type = scam_types[spec.scam_type]
            question.difficulty = spec.difficulty
            question.kind = spec.kind
            question.status = version.status
            question.text = version.text
            question.scenario = version.scenario
            question.explanation = version.explanation
            if old_image != new_image:
                if question.image:
                    out.replaced_files.append(question.image.name or "")
                if version.image is not None:
                    question.image.save(
                        posixpath.basename(version.image.name),
                        ContentFile(version.image.data),
                        save=False,
                    )
                    out.written_files.append(question.image.name or "")
                else:
                    question.image = ""
            question.image_alt = version.image.alt if version.image else ""
            question.save()
            question.audiences.set([audiences[code] for code in wanted_audiences])
            _options_update(question, version.options)
    return out


def _options_update(question: Question, wanted: list[tuple[str, bool]]) -> None:
    have = list(question.options.order_by("position", "id")) if question.pk else []
    for position, (text, correct) in enumerate(wanted):
        if position < len(have):
            option = have[position]
            if (option.text, option.is_correct, option.position) != (text, correct, position):
                option.text, option.is_correct, option.position = text, correct, position
                option.save(update_fields=["text", "is_correct", "position"])
        else:
            Option.objects.create(
                question=question, position=position, text=text, is_correct=correct
            )
    surplus = [option.pk for option in have[len(wanted) :]]
    if surplus:
        Option.objects.filter(pk__in=surplus).delete()
