"""The knowledge check at the end of a lesson, and the one place that decides what happens
while no question bank is plugged in.

A lesson may carry a check configuration (``check_scam_types`` and
``check_question_count``). The lesson page asks a *provider* for questions and for grading
through :class:`KnowledgeCheckProvider`. The provider is named by the setting
``EDU_KNOWLEDGE_CHECK_PROVIDER`` (a dotted path to a class or object implementing the
protocol); the ``quizzes`` app supplies one at merge time, built on
``quizzes.selectors.questions_for_knowledge_check`` and
``quizzes.services.knowledge_check_grade``.

**Until a provider is configured, a lesson with a check configuration completes without
the check.** :func:`check_required` is that rule, and nothing else in edu decides it.

What edu reads from a provider (duck-typed, so the quizzes app may return its own objects):
a question has ``id``, ``text``, ``options`` (each with ``id`` and ``text``, never whether it
is correct), ``multiple`` and ``scenario``; a result has ``passed``, ``correct`` and
``total``. The answers edu sends to ``grade`` are ``{question id: [option id, …]}`` from the
lesson page's form fields ``q-<question id>``. Wiring the quizzes app is one small class::

    class QuizzesKnowledgeChecks:
        def questions(self, *, scam_types, audience, language, count):
            from quizzes.selectors import questions_for_knowledge_check
            return questions_for_knowledge_check(
                scam_types=scam_types, audience=audience, language=language, count=count
            )

        def grade(self, *, answers):
            from quizzes.services import knowledge_check_grade
            return knowledge_check_grade(answers=answers)

and ``EDU_KNOWLEDGE_CHECK_PROVIDER = "<module>.QuizzesKnowledgeChecks"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class CheckOption:
    id: int
    text: str


@dataclass(frozen=True)
class CheckQuestion:
    id: int
    text: str
    options: list[CheckOption]
    multiple: bool = False
    scenario: str = ""


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    correct: int
    total: int
    # Per question id: an explanation to show after answering (never before).
    explanations: dict[int, str] = field(default_factory=dict)


@runtime_checkable
class KnowledgeCheckProvider(Protocol):
    def questions(
        self, *, scam_types: list[str], audience: str, language: str, count: int
    ) -> list[CheckQuestion]: ...

    def grade(self, *, answers: dict[int, list[int]]) -> CheckResult: ...


@cache
def _load(path: str) -> KnowledgeCheckProvider:
    target = import_string(path)
    provider = target() if isinstance(target, type) else target
    if not isinstance(provider, KnowledgeCheckProvider):
        raise TypeError(f"{path} does not implement edu.checks.KnowledgeCheckProvider")
    return provider


def provider() -> KnowledgeCheckProvider | None:
    path = getattr(settings, "EDU_KNOWLEDGE_CHECK_PROVIDER", "") or ""
    return _load(path) if path else None


def check_required(lesson: object) -> bool:
    """Whether completing ``lesson`` needs a passed knowledge check: only when the lesson has
    a check configuration AND a provider is configured."""
    return bool(getattr(lesson, "check_scam_types", None)) and provider() is not None
