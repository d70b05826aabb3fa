"""Grading answers against the question bank: knowledge checks and the scoring the
attempts and transfer checks share. Pure reads of the bank; nothing is written here."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from typing import Any

from .. import selectors
from ..models import (
    Question,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    correct: bool
    chosen: list[int]
    correct_options: list[int]
    explanation: str


@dataclass(frozen=True)
class GradeResult:
    score: int
    total: int
    passed: bool
    questions: dict[int, QuestionResult] = field(default_factory=dict)


def _is_correct(question: Question, chosen: list[int]) -> bool:
    correct = {o.id for o in question.options.all() if o.is_correct}
    return set(chosen) == correct


def knowledge_check_grade(
    *, answers: dict[int, list[int]], pass_ratio: float = 0.6, language: str | None = None
) -> GradeResult:
    """Hook for ``edu``: grade answers (question id -> chosen option ids). A question is
    right when exactly its correct options were chosen. Passed when at least ``pass_ratio``
    of the questions are right; explanations as a reader of ``language`` reads them. Reads
    only; writes nothing."""
    questions = selectors.questions_with_options([int(q) for q in answers])
    results: dict[int, QuestionResult] = {}
    for question in questions:
        selectors.question_for_reader(question, [], language=language)
        chosen = sorted(int(o) for o in answers.get(question.id, []))
        results[question.id] = QuestionResult(
            question_id=question.id,
            correct=_is_correct(question, chosen),
            chosen=chosen,
            correct_options=[o.id for o in question.options.all() if o.is_correct],
            explanation=question.explanation,
        )
    score = sum(r.correct for r in results.values())
    total = len(results)
    return GradeResult(
        score=score,
        total=total,
        passed=total > 0 and score >= pass_ratio * total,
        questions=results,
    )


def _items_for(question_ids: list[int], rng: random.Random) -> list[dict[str, Any]]:
    """The questions with their options in a shuffled order (true/false keeps 对 before 错)."""
    items = []
    by_question = selectors.option_ids_by_question(question_ids)
    for question_id in question_ids:
        if question_id not in by_question:
            continue
        kind, options = by_question[question_id]
        if kind != Question.Kind.TRUE_FALSE:
            rng.shuffle(options)
        items.append({"q": question_id, "o": options})
    return items


def _answer_record(
    *,
    items: list[dict[str, Any]],
    answers: dict[str, list[int]],
    question_id: int,
    option_ids: list[int],
) -> bool:
    """Record an answer to the next unanswered question. Returns False (and changes nothing)
    if that question is not the next one or an option is not one of its options."""
    position = len(answers)
    if position >= len(items) or items[position]["q"] != question_id:
        return False
    if not option_ids or not set(option_ids) <= set(items[position]["o"]):
        return False
    answers[str(question_id)] = sorted(set(option_ids))
    return True


def _score(items: list[dict[str, Any]], answers: dict[str, list[int]]) -> int:
    grade = knowledge_check_grade(
        answers={int(q): a for q, a in answers.items() if any(i["q"] == int(q) for i in items)}
    )
    return grade.score
