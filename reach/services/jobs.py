"""The refresh and the rebuild as locked, recorded jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from campaigns.models import SessionLog
from core import clock
from core.models import JobRun
from core.services import job_run_record
from edu.models import Certificate, Enrollment, LessonProgress
from quizzes.models import TransferCheck

from ..models import (
    CampaignReachDaily,
    CheckBreakdownDaily,
    ReachDaily,
    Watermark,
)
from .cells import WATERMARK, Scope, _overlap
from .incremental import (
    _changed_logs,
    _ledger_rebuild,
    _ledger_update,
    _local_day,
    _scopes_of,
    _touched_cells,
)
from .sync import TABLES, _apply

logger = logging.getLogger(__name__)


def _source_days() -> list[date]:
    """Every day on which any source has something, first to last."""
    bounds: list[date] = []
    held = SessionLog.objects.aggregate(a=Min("held_on"), b=Max("held_on"))
    bounds += [d for d in (held["a"], held["b"]) if d]
    for qs, column in (
        (LessonProgress.objects.all(), "completed_at"),
        (Enrollment.objects.all(), "completed_at"),
        (Certificate.objects.all(), "issued_at"),
        (TransferCheck.objects.all(), "created_at"),
    ):
        got = qs.order_by().aggregate(a=Min(column), b=Max(column))
        bounds += [_local_day(m) for m in (got["a"], got["b"]) if m]
    if not bounds:
        return []
    first, last = min(bounds), max(bounds)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _lock() -> Watermark | None:
    """Take the refresh lock (the watermark row), or None when another run holds it."""
    Watermark.objects.get_or_create(name=WATERMARK)  # its own savepoint copes with a race
    # The UPDATE makes SQLite take its write lock now, so two runs serialise there too;
    # PostgreSQL skips a row another run has locked instead of queueing behind it.
    mark = Watermark.objects.select_for_update(skip_locked=True).filter(name=WATERMARK).first()
    if mark is None:
        return None
    Watermark.objects.filter(name=WATERMARK).update(updated_at=timezone.now())
    return mark


@dataclass
class RunResult:
    outcome: str
    rows_changed: int = 0
    cells: int = 0
    details: dict[str, Any] = field(default_factory=dict)


REBUILD_STEPS = 1 + len(TABLES) + 1  # compute, write each table, the ledger


def _rebuild_locked(
    mark: Watermark, started: datetime, progress: Callable[[int, int], None] | None
) -> RunResult:
    days = _source_days()
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, REBUILD_STEPS)

    if days:
        # One pass of GROUP BY over all the sources, not a pass per month: the rows of a
        # month are spread over the whole table, so each pass would read most of it.
        changed = _apply(Scope(tuple(days)), everything=True, step=step)
    else:
        changed = sum(
            model._default_manager.all().delete()[0]
            for model in (ReachDaily, CampaignReachDaily, CheckBreakdownDaily)
        )
        done = REBUILD_STEPS - 1
    _ledger_rebuild()
    step()
    mark.value = started - _overlap()
    mark.save(update_fields=["value"])
    return RunResult("ok", rows_changed=changed, cells=len(days), details={"days": len(days)})


def reach_rebuild(*, progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Recompute every cell from the sources, in one transaction holding the refresh lock
    (a concurrent refresh skips its turn). Gives the same rows as any run of refreshes;
    also removes figures of source rows deleted since. ``progress(done, total)`` is called
    after each step (the computation, each table written, the ledger)."""
    started = timezone.now()
    with transaction.atomic():
        mark = _lock()
        if mark is None:
            return RunResult("skipped")
        return _rebuild_locked(mark, started, progress)


def reach_refresh(*, now: datetime | None = None) -> RunResult:
    """Recompute the cells touched since the watermark, and move the watermark, in one
    transaction: a crash leaves the previous figures and watermark, and the next run redoes
    the work. Safe to run twice (the second run changes nothing) and concurrently (the
    second run finds the lock held and skips). The first run ever is a full rebuild."""
    started = now or clock.now()
    with transaction.atomic():
        mark = _lock()
        if mark is None:
            return RunResult("skipped")
        if mark.value is None:
            return _rebuild_locked(mark, started, None)
        since = mark.value
        cells = _touched_cells(since)
        changed = sum(_apply(scope) for scope in _scopes_of(cells))
        _ledger_update(_changed_logs(since))
        mark.value = started - _overlap()
        mark.save(update_fields=["value"])
        return RunResult(
            "ok", rows_changed=changed, cells=len(cells), details={"since": since.isoformat()}
        )


def reach_job(job: str, *, progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run the refresh or the rebuild with a JobRun record."""
    with job_run_record(job) as run:
        rebuild = job == "reach.rebuild"
        result = reach_rebuild(progress=progress) if rebuild else reach_refresh()
        run.rows_changed = result.rows_changed
        run.details = {"cells": result.cells, **result.details}
        if result.outcome == "skipped":
            run.outcome = JobRun.Outcome.SKIPPED
    return result
