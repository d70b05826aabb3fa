"""The one clock services and the rate limiter read, so tests set the time instead of sleeping.

``now()`` is the aware wall-clock time (``django.utils.timezone.now``), ``time()`` the same
moment as seconds since the epoch and ``monotonic()`` a clock for measuring intervals. In
production they are the standard functions; tests stop and move them through
:func:`freeze` and :func:`advance` (the ``clock`` fixture in ``tests/conftest.py``).
"""

from __future__ import annotations

import time as _time
from datetime import datetime, timedelta

from django.utils import timezone

_frozen: datetime | None = None
_advanced = 0.0  # seconds added to monotonic() by advance()


def now() -> datetime:
    """The current time, timezone-aware."""
    return _frozen if _frozen is not None else timezone.now()


def time() -> float:
    """The current time as seconds since the epoch (what ``time.time()`` returns)."""
    return _frozen.timestamp() if _frozen is not None else _time.time()


def monotonic() -> float:
    """Seconds on a clock that never goes back, for intervals (``time.monotonic()``)."""
    return _time.monotonic() + _advanced


def freeze(moment: datetime) -> None:
    """Stop the wall clock at ``moment`` (aware) until :func:`reset`. Tests only."""
    global _frozen
    if timezone.is_naive(moment):
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment


def advance(delta: timedelta) -> None:
    """Move the (frozen) wall clock and the monotonic clock forward by ``delta``. Tests only."""
    global _frozen, _advanced
    if _frozen is not None:
        _frozen += delta
    _advanced += delta.total_seconds()


def reset() -> None:
    """Back to the real clocks."""
    global _frozen, _advanced
    _frozen = None
    _advanced = 0.0
