"""What changed since the watermark: the cells touched by new or edited rows, and the
ledger that remembers where each session log was counted."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.models import SessionLog
from edu.models import Certificate, Enrollment, LessonProgress
from quizzes.models import TransferCheck

from ..models import (
    SessionLogCell,
)
from .cells import DAYS_PER_CHUNK, UNPLACED, Cell, Scope, _county_parents, _tz

logger = logging.getLogger(__name__)


def _scopes_of(cells: set[Cell]) -> Iterator[Scope]:
    """Cells grouped into blocks of at most a month of days (a block may be a superset of
    the cells: recomputing a cell that did not change is harmless)."""
    days = sorted({day for _, day in cells})
    for start in range(0, len(days), DAYS_PER_CHUNK):
        block = days[start : start + DAYS_PER_CHUNK]
        wanted = set(block)
        yield Scope(tuple(block), frozenset(c for c, d in cells if d in wanted))


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment, _tz()).date()


def _changed_logs(since: datetime) -> QuerySet[SessionLog]:
    return SessionLog.objects.filter(
        Q(created_at__gt=since) | Q(reviewed_at__gt=since) | Q(updated_at__gt=since)
    ).order_by()


def _touched_cells(since: datetime) -> set[Cell]:
    """The cells whose figures may have changed since ``since``: the current cell of every
    source row stamped later, and the previous cell of every changed session log."""
    tz = _tz()
    logs = _changed_logs(since)
    cells: set[Cell] = set(logs.values_list("county_id", "held_on").distinct())
    cells |= set(
        SessionLogCell.objects.filter(log_id__in=logs.values("id")).values_list(
            "county_code", "day"
        )
    )

    def days(qs: QuerySet[Any], column: str) -> set[Cell]:
        return {
            (UNPLACED, day)
            for day in qs.annotate(day=TruncDate(column, tzinfo=tz))
            .order_by()
            .values_list("day", flat=True)
            .distinct()
        }

    cells |= days(LessonProgress.objects.filter(recorded_at__gt=since), "completed_at")
    cells |= days(Enrollment.objects.filter(completed_at__gt=since), "completed_at")
    cells |= days(
        Certificate.objects.filter(Q(issued_at__gt=since) | Q(revoked_at__gt=since)), "issued_at"
    )
    checks = set(
        TransferCheck.objects.filter(
            Q(created_at__gt=since)
            | Q(opened_at__gt=since)
            | Q(completed_at__gt=since)
            | Q(resolved_at__gt=since)
            | Q(amount_confirmed_at__gt=since)
        )
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .order_by()
        .values_list("region_code", "day")
        .distinct()
    )
    known = _county_parents(code for code, _ in checks)
    cells |= {(code if code in known else UNPLACED, day) for code, day in checks}
    return cells


def _ledger_update(logs: QuerySet[SessionLog]) -> None:
    rows = [
        SessionLogCell(log_id=pk, county_code=county, day=day)
        for pk, county, day in logs.values_list("id", "county_id", "held_on").iterator()
    ]
    SessionLogCell.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["log_id"],
        update_fields=["county_code", "day"],
    )


def _ledger_rebuild() -> None:
    """Every session log's cell, written by the database in one statement."""
    ledger, logs = SessionLogCell._meta.db_table, SessionLog._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ledger}")  # noqa: S608 - table names only
        cursor.execute(
            f"INSERT INTO {ledger} (log_id, county_code, day) "  # noqa: S608
            f"SELECT id, county_id, held_on FROM {logs}"
        )
