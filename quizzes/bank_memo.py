"""The published question bank as the hosted quiz draws from it, remembered in each process
for ``QUESTION_BANK_MEMO_SECONDS``.

Opening a check draws its questions: the candidates for its scam types, audience and
language, then the chosen questions with their options. Through the database that is two
queries the ORM compiles anew for every check (about a fifth of a whole check's CPU,
bench/check.py --profile), for a bank that changes a few times a day. So both are kept in
the process: an edit in this process (the admin's, an import's) forgets them at once
(signals in quizzes/apps.py); other processes see it within the memo's lifetime. A check
under way never changes: its draw is kept beside it (services/check_draw.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from . import selectors

_lock = threading.Lock()
_memo: dict[tuple[Any, ...], tuple[float, Any]] = {}


def bank_memo_forget(**_signal: Any) -> None:
    """Forget everything remembered (a question, option or audience changed)."""
    with _lock:
        _memo.clear()


def _remembered(key: tuple[Any, ...]) -> Any:
    found = _memo.get(key)
    if found is not None and time.monotonic() - found[0] < settings.QUESTION_BANK_MEMO_SECONDS:
        return found[1]
    return None


def _remember(key: tuple[Any, ...], value: Any) -> None:
    with _lock:
        _memo[key] = (time.monotonic(), value)


def question_candidates(
    *, scam_types: Iterable[str], audience: str | None, language: str
) -> list[tuple[int, int, int]]:
    """``selectors.question_candidates``, remembered."""
    types = tuple(sorted(scam_types))
    key = ("candidates", types, audience, language)
    found = _remembered(key)
    if found is None:
        found = selectors.question_candidates(
            scam_types=types, audience=audience, language=language
        )
        _remember(key, found)
    return list(found)


def question_screens(
    question_ids: Iterable[int], *, language: str | None
) -> dict[int, selectors.QuestionScreen]:
    """``selectors.question_screens``, each question remembered on its own (the screens are
    frozen dataclasses, safe to share)."""
    ids = list(question_ids)
    screens: dict[int, selectors.QuestionScreen] = {}
    missing = []
    for question_id in ids:
        found = _remembered(("screen", question_id, language))
        if found is None:
            missing.append(question_id)
        else:
            screens[question_id] = found
    if missing:
        for question_id, screen in selectors.question_screens(missing, language=language).items():
            _remember(("screen", question_id, language), screen)
            screens[question_id] = screen
    return {question_id: screens[question_id] for question_id in ids if question_id in screens}
