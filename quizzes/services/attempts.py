"""Learners' self-test attempts: start one with its questions drawn, record answers."""

from __future__ import annotations

import logging
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from .. import selectors
from ..models import (
    Attempt,
    Quiz,
)
from .grading import _answer_record, _items_for, _score

logger = logging.getLogger(__name__)


@transaction.atomic
def attempt_start(*, quiz: Quiz, user: Any | None, language: str) -> Attempt:
    """Start an attempt: draw the quiz's questions (fixed keys or its rule) and shuffle each
    question's options. Never empty: raises ValueError if the bank has no fitting question."""
    rng = random.SystemRandom()
    if quiz.fixed_keys:
        by_key = dict(
            selectors.published_questions(language=language)
            .filter(key__in=quiz.fixed_keys)
            .values_list("key", "id")
        )
        ids = [by_key[k] for k in quiz.fixed_keys if k in by_key]
    else:
        ids = selectors.question_ids_draw(
            scam_types=[quiz.scam_type.code] if quiz.scam_type else [],
            audience=quiz.audience.code if quiz.audience else None,
            language=language,
            count=quiz.question_count,
            rng=rng,
        )
    if not ids:
        raise ValueError("no published questions for this quiz")
    return Attempt.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        quiz=quiz,
        scam_type=quiz.scam_type,
        language=language,
        items=_items_for(ids, rng),
    )


@transaction.atomic
def attempt_answer(*, attempt_id: Any, question_id: int, option_ids: list[int]) -> bool:
    """Record the answer to the attempt's next question; the attempt is finished and scored
    with its last answer. Answering twice or out of order changes nothing (returns False)."""
    attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
    if attempt.finished_at:
        return False
    if not _answer_record(
        items=attempt.items,
        answers=attempt.answers,
        question_id=question_id,
        option_ids=option_ids,
    ):
        return False
    attempt.score = _score(attempt.items, attempt.answers)
    if len(attempt.answers) == len(attempt.items):
        attempt.finished_at = timezone.now()
    attempt.save(update_fields=["answers", "score", "finished_at"])
    return True
