"""The question bank as edu's knowledge-check provider (``EDU_KNOWLEDGE_CHECK_PROVIDER``):
the named interface through which edu, the layer above, asks for questions and grading.

Adapts ``questions_for_knowledge_check`` and ``knowledge_check_grade`` to the small
protocol ``edu.checks.KnowledgeCheckProvider``, with the types defined here: questions go
out with their options shuffled and without the correct answers; grading happens here, on
the server.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.utils import translation

from .models import Question
from .selectors import question_for_reader, questions_for_knowledge_check
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
class CheckResult:
    passed: bool
    correct: int
    total: int
    # Per question id: an explanation to show after answering (never before).
    explanations: dict[int, str] = field(default_factory=dict)


class QuestionBankChecks:
    def questions(
        self, *, scam_types: list[str], audience: str, language: str, count: int
    ) -> list[CheckQuestion]:
        rng = random.SystemRandom()
        asked = []
        for question in questions_for_knowledge_check(
            scam_types=scam_types, audience=audience, language=language, count=count
        ):
            shown = list(question.options.all())
            question_for_reader(question, shown, language=language)
            options = [CheckOption(id=o.id, text=o.text) for o in shown]
            if question.kind != Question.Kind.TRUE_FALSE:  # 对/错 keep their order
                rng.shuffle(options)
            asked.append(
                CheckQuestion(
                    id=question.id,
                    text=question.text,
                    options=options,
                    multiple=question.kind == Question.Kind.MULTIPLE,
                    scenario=question.scenario,
                )
            )
        return asked

    def grade(self, *, answers: dict[int, list[int]]) -> CheckResult:
        # Explanations in the reader's language (the page's): Traditional for zh-hant.
        result = knowledge_check_grade(answers=answers, language=translation.get_language())
        return CheckResult(
            passed=result.passed,
            correct=result.score,
            total=result.total,
            explanations={qid: r.explanation for qid, r in result.questions.items()},
        )
