"""The knowledge check at the end of a lesson: the one place that decides whether a lesson
may complete (:func:`knowledge_check_gate`), and what happens while no question bank is
plugged in.

A lesson may carry a check configuration (``check_scam_types`` and
``check_question_count``). The lesson page asks a *provider* for questions and for grading
through :class:`KnowledgeCheckProvider`. The provider is named by the setting
``EDU_KNOWLEDGE_CHECK_PROVIDER`` (a dotted path to a class or object implementing the
protocol); the question bank's ``quizzes.knowledge_checks.QuestionBankChecks`` is the one
the settings name. The question and result types belong to the question bank
(``quizzes.knowledge_checks``), the lower layer; edu only reads them.

**Until a provider is configured, a lesson with a check configuration completes without
the check.** :func:`check_required` is that rule, and nothing else in edu decides it.

The answers edu sends to ``grade`` are ``{question id: [option id, …]}`` from the lesson
page's form fields ``q-<question id>``; only the questions served on the lesson page are
graded, so nobody passes by answering questions of their own choosing. A learner who fails
is asked the same questions again (``questions_again``) until they pass, with what was
right or wrong in their last answers and why (the result's ``reviews``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from quizzes.knowledge_checks import CheckOption, CheckQuestion, CheckResult, CheckReview

__all__ = [
    "CheckGate",
    "CheckOption",
    "CheckQuestion",
    "CheckResult",
    "CheckReview",
    "KnowledgeCheckProvider",
    "check_required",
    "knowledge_check_gate",
    "provider",
]


@runtime_checkable
class KnowledgeCheckProvider(Protocol):
    def questions(
        self, *, scam_types: list[str], audience: str, language: str, count: int
    ) -> list[CheckQuestion]: ...

    def questions_again(self, *, ids: list[int]) -> list[CheckQuestion]: ...

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


@dataclass(frozen=True)
class CheckGate:
    """Whether a lesson may complete now. ``unseen``: its questions were never served (the
    lesson page was not shown), so the learner must answer them first. ``result``: the graded
    check, when there was one."""

    allowed: bool
    unseen: bool = False
    result: CheckResult | None = None


def knowledge_check_gate(
    *, lesson: object, served: list[int] | None, answers: dict[int, list[int]]
) -> CheckGate:
    """Decide whether ``lesson`` may complete, given the ids of the questions its page served
    (None if it never served any) and the learner's answers to them. Reads only: grading
    writes nothing. A lesson without a required check always may; a served empty list means
    the bank had no question for it, so there is no check."""
    source = provider()
    if not check_required(lesson) or source is None:
        return CheckGate(allowed=True)
    if served is None:
        return CheckGate(allowed=False, unseen=True)
    if not served:
        return CheckGate(allowed=True)
    result = source.grade(answers=answers)
    return CheckGate(allowed=result.passed, result=result)
