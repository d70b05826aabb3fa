"""A check's questions: drawn once for it (seeded, so the start screen can show the first
one before the check is opened, and opening draws the same), and kept beside it in the cache
for its life, so its screens ask the database nothing about questions."""

from __future__ import annotations

import functools
import logging
import pickle
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .. import bank_memo, selectors
from ..codes import AUDIENCE_FOR_AGE_BAND
from ..models import Question, TransferCheck

logger = logging.getLogger(__name__)


Screens = dict[int, selectors.QuestionScreen]


@dataclass
class CheckScreen:
    """A check after a step of its quiz, with the questions of its draw (question id → what
    the screen shows), so a page can show them without asking the database again.
    ``recorded``: whether the answer given was taken."""

    check: TransferCheck
    questions: Screens = field(default_factory=dict)
    recorded: bool = False

    def __bool__(self) -> bool:
        return self.recorded


def _draw_rng(check: TransferCheck) -> random.Random:
    """The check's own random draw: seeded by a keyed hash of its id, so the questions shown
    before it is opened (``transfer_check_draw``, a read) are the ones opening it draws, and
    nobody without the secret key can tell them in advance."""
    seed = salted_hmac("quizzes.transfer-check-draw", str(check.id)).digest()
    return random.Random(int.from_bytes(seed, "big"))  # noqa: S311 - seeded by a secret


def _draw_key(check: TransferCheck) -> str:
    return f"quizzes:check-draw:{check.id}"


@functools.cache
def _draw_store() -> Any:
    """Where draws are kept: the Redis client of the default cache, made once per process
    (Django's cache makes a client per call, which costs more than the round trip); any
    other cache backend (development, tests) through the cache API."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)
    return None


def _draw_remembered(check: TransferCheck) -> tuple[list[dict[str, Any]], Screens] | None:
    try:
        store = _draw_store()
        if store is None:
            found: tuple[list[dict[str, Any]], Screens] | None = cache.get(_draw_key(check))
            return found
        raw = store.get(cache.make_key(_draw_key(check)))
        return pickle.loads(raw) if raw else None  # noqa: S301 - written by us, below
    except Exception:  # the cache is only a shortcut: without it, the database answers
        logger.warning("cache unavailable: the quiz reads its questions from the database")
        return None


def _draw_remember(check: TransferCheck, items: list[dict[str, Any]], screens: Screens) -> None:
    # Kept for the check's life: its screens then ask the database nothing about questions.
    # A snapshot on purpose: an edit of the bank meanwhile does not change a quiz under way.
    seconds = max(60, int((check.expires_at - timezone.now()).total_seconds()) + 60)
    try:
        store = _draw_store()
        if store is None:
            cache.set(_draw_key(check), (items, screens), timeout=seconds)
        else:
            store.set(cache.make_key(_draw_key(check)), pickle.dumps((items, screens)), ex=seconds)
    except Exception:
        logger.warning("cache unavailable: the quiz's draw is not kept")


def transfer_check_draw(check: TransferCheck) -> tuple[list[dict[str, Any]], Screens]:
    """The check's questions (as opening it draws them: 3–5, for its scam types, age band
    and locale, topped up with a general mix) and what their screens show. Writes nothing to
    the database: the start screen shows the first one to a check not yet opened. The same
    answer every time while the bank is unchanged. Kept in the cache for the check's life,
    so after the first screen it needs no query; else two."""
    remembered = _draw_remembered(check)
    if remembered is not None and remembered[0] == (check.items or remembered[0]):
        return remembered
    if check.items:
        screens = bank_memo.question_screens((i["q"] for i in check.items), language=check.locale)
        _draw_remember(check, check.items, screens)
        return check.items, screens
    rng = _draw_rng(check)
    types = list(check.scam_types)
    ids = selectors.question_ids_pick(
        bank_memo.question_candidates(
            scam_types=types,
            audience=AUDIENCE_FOR_AGE_BAND.get(check.age_band),
            language=check.locale,
        ),
        by_type=not types,
        count=settings.TRANSFER_CHECK_QUESTIONS,
        rng=rng,
    )
    if len(ids) < 3:  # too few of these types: top up with a general mix
        general = bank_memo.question_candidates(scam_types=[], audience=None, language=check.locale)
        ids += [
            i
            for i in selectors.question_ids_pick(general, by_type=True, count=5, rng=rng)
            if i not in ids
        ][: 3 - len(ids)]
    screens = bank_memo.question_screens(ids, language=check.locale)
    items = []
    for question_id in ids:
        if question_id not in screens:
            continue
        option_ids = [o.id for o in screens[question_id].options]
        if screens[question_id].kind != Question.Kind.TRUE_FALSE:  # true/false keeps 对 before 错
            rng.shuffle(option_ids)
        items.append({"q": question_id, "o": option_ids})
    _draw_remember(check, items, screens)
    return items, screens


def _open(check: TransferCheck, now: datetime) -> Screens:
    """Draw and record the questions of a check not yet opened (the caller holds its lock)."""
    items, screens = transfer_check_draw(check)
    check.items = items
    check.opened_at = now
    check.status = TransferCheck.Status.IN_PROGRESS
    return screens
