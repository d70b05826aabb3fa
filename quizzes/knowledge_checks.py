"""The question bank as edu's knowledge-check provider (``EDU_KNOWLEDGE_CHECK_PROVIDER``):
the named interface through which edu, the layer above, asks for questions and grading.

Adapts ``questions_for_knowledge_check`` and ``knowledge_check_grade`` to the small
protocol ``edu.checks.KnowledgeCheckProvider``, with the types defined here: questions go
out with their options shuffled and without the correct answers; grading happens here, on
the server, and only a graded answer tells which options were right and why.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.utils import translation

from .models import Question
from .selectors import question_for_reader, questions_for_knowledge_check, questions_with_options
from .services import knowledge_check_grade


# What a lesson page may know of a question: never whether an option is correct.
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
class CheckReview:
    """One graded question, for the page to show after the answer (never before): whether
    it was right, what the learner chose, which options are right, and why."""

    correct: bool
    chosen: list[int]
    right: list[int]
    explanation: str


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    correct: int
    total: int
    # Per question id: an explanation to show after answering (never before).
    explanations: dict[int, str] = field(default_factory=dict)
    reviews: dict[int, CheckReview] = field(default_factory=dict)


def _asked(question: Question, language: str | None) -> CheckQuestion:
    shown = list(question.options.all())
    question_for_reader(question, shown, language=language)  # zh-hans shown in Traditional
    options = [CheckOption(id=o.id, text=o.text) for o in shown]
    if question.kind != Question.Kind.TRUE_FALSE:  # 对/错 keep their order
        # Shuffled once per question, the same way every time: a learner who retries sees
        # the options where they were, and the right one is not always first.
        random.Random(question.id).shuffle(options)  # noqa: S311 - an order, not a secret
    return CheckQuestion(
        id=question.id,
        text=question.text,
        options=options,
        multiple=question.kind == Question.Kind.MULTIPLE,
        scenario=question.scenario,
    )


class QuestionBankChecks:
    def questions(
        self, *, scam_types: list[str], audience: str, language: str, count: int
    ) -> list[CheckQuestion]:
        return [
            _asked(question, language)
            for question in questions_for_knowledge_check(
                scam_types=scam_types, audience=audience, language=language, count=count
            )
        ]

    def questions_again(self, *, ids: list[int]) -> list[CheckQuestion]:
        """The questions served before, in their order (a retry asks the same ones); any
        deleted since is left out."""
        language = translation.get_language()
        return [_asked(question, language) for question in questions_with_options(ids)]

    def grade(self, *, answers: dict[int, list[int]]) -> CheckResult:
        # Explanations in the reader's language (the page's): Traditional for zh-hant.
        result = knowledge_check_grade(answers=answers, language=translation.get_language())
        return CheckResult(
            passed=result.passed,
            correct=result.score,
            total=result.total,
            explanations={qid: r.explanation for qid, r in result.questions.items()},
            reviews={
                qid: CheckReview(
                    correct=r.correct,
                    chosen=r.chosen,
                    right=r.correct_options,
                    explanation=r.explanation,
                )
                for qid, r in result.questions.items()
            },
        )
