"""Writes of reach statistics: the incremental refresh, the full rebuild and job records.

Both paths compute whole (county, day) cells with the same GROUP BY queries
(``_compute``) and write them with the same diff (``_sync``), so a rebuild and any sequence
of refreshes give exactly the same rows. Definitions: DESIGN.md, "Reach statistics".
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.models import SessionLog
from campaigns.models import Status as LogStatus
from edu.models import Certificate, Enrollment, LessonProgress
from quizzes.models import TransferCheck
from regions.models import Level, Region

from .models import (
    AUDIENCES,
    CampaignReachDaily,
    CheckBreakdownDaily,
    JobRun,
    ReachDaily,
    SessionLogCell,
    Watermark,
)

logger = logging.getLogger(__name__)

WATERMARK = "reach"
UNPLACED = ""  # the county code of figures that cannot be placed in a county
DAYS_PER_CHUNK = 31
CENT = Decimal("0.01")

Cell = tuple[str, date]
CampaignCell = tuple[int, str, date]
BreakdownCell = tuple[str, str, date, str]  # dimension, county, day, group code
Row = dict[str, Any]
OFFLINE_FIELDS = ["sessions", *[f"attendees_{a}" for a in AUDIENCES], "attendees_total"]
DAILY_FIELDS = [
    *OFFLINE_FIELDS,
    "learners_active",
    "lessons_completed",
    "courses_completed",
    "certificates_issued",
    "checks_shown",
    "checks_heeded",
    "checks_proceeded",
    "protected_funds",
    "person_times",
]
CHECK_FIELDS = ["checks_shown", "checks_heeded", "checks_proceeded", "protected_funds"]
AGE_BAND = CheckBreakdownDaily.Dimension.AGE_BAND.value
SCAM_TYPE = CheckBreakdownDaily.Dimension.SCAM_TYPE.value


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, dtime.min, tzinfo=_tz())


def _overlap() -> timedelta:
    """How far back each refresh reads again: a transaction that stamped its rows before
    the last run started but committed after it is still seen (recomputing is harmless)."""
    return timedelta(seconds=getattr(settings, "REACH_REFRESH_OVERLAP_SECONDS", 600))


@dataclass(frozen=True)
class Scope:
    """A block of cells: these days × these counties (None: every county)."""

    days: tuple[date, ...]
    counties: frozenset[str] | None = None

    @property
    def placed(self) -> list[str]:
        return sorted(c for c in (self.counties or ()) if c)

    @property
    def has_unplaced(self) -> bool:
        return self.counties is None or UNPLACED in self.counties


def _on_days(qs: QuerySet[Any], column: str, days: Iterable[date]) -> QuerySet[Any]:
    """Rows whose ``column`` falls on one of ``days`` (local time), with a ``day`` column."""
    days = sorted(days)
    found: QuerySet[Any] = (
        qs.filter(
            **{
                f"{column}__gte": _day_start(days[0]),
                f"{column}__lt": _day_start(days[-1] + timedelta(days=1)),
            }
        )
        .annotate(day=TruncDate(column, tzinfo=_tz()))
        .filter(day__in=days)
        .order_by()
    )
    return found


def _county_parents(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """county code → (parent code, province code), for the codes that are counties."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return {
        code: (parent or "", code[:2] + "0000")
        for code, parent in Region.objects.filter(code__in=wanted, level=Level.COUNTY)
        .values_list("code", "parent_id")
        .order_by()
    }


def _offline_sums() -> dict[str, Any]:
    sums: dict[str, Any] = {"sessions": Count("id")}
    for audience in AUDIENCES:
        sums[f"attendees_{audience}"] = Sum(f"attendees_{audience}")
    sums["attendees_total"] = Sum("attendees_total")
    return sums


def _approved_logs(scope: Scope) -> QuerySet[SessionLog] | None:
    logs = SessionLog.objects.filter(status=LogStatus.APPROVED, held_on__in=scope.days)
    if scope.counties is not None:
        if not scope.placed:
            return None
        logs = logs.filter(county_id__in=scope.placed)
    return logs.order_by()


def _check_sums() -> dict[str, Any]:
    return {
        "shown": Count("id", filter=Q(opened_at__isnull=False)),
        "heeded": Count("id", filter=Q(status=TransferCheck.Status.HEEDED)),
        "proceeded": Count("id", filter=Q(status=TransferCheck.Status.PROCEEDED)),
        "protected": Sum(
            "amount", filter=Q(resolution=TransferCheck.Resolution.CANCELLED, currency="CNY")
        ),
    }


def _scam_type_elements(column: str) -> str:
    """A FROM-clause item giving one row (column ``value``) per element of the JSON list in
    ``column``; a row that is not a list gives none. The one vendor-specific piece."""
    if connection.vendor == "postgresql":
        return (
            f"LEFT JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof({column}) = "
            f"'array' THEN {column} ELSE '[]'::jsonb END) AS t(value) ON TRUE"
        )
    return (
        f"LEFT JOIN json_each(CASE WHEN json_type({column}) = 'array' THEN {column} "
        "ELSE '[]' END) AS t ON 1 = 1"
    )


def _by_scam_type(checks: QuerySet[Any]) -> list[Row]:
    """Check figures grouped by (region code, day, scam type), by the database: each check
    once under each distinct type it names, under "" when it names none."""
    inner_sql, params = checks.values(
        "id",
        "region_code",
        "day",
        "scam_types",
        "opened_at",
        "status",
        "resolution",
        "currency",
        "amount",
    ).query.sql_with_params()
    # Only Django-compiled SQL (with its own parameters) and constant text go in here.
    sql = f"""
        SELECT region_code, day, code,
            SUM(CASE WHEN opened_at IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN resolution = %s AND currency = 'CNY' THEN amount ELSE 0 END)
        FROM (
            SELECT DISTINCT s.id, s.region_code, s.day, s.opened_at, s.status, s.resolution,
                s.currency, s.amount, COALESCE(t.value, '') AS code
            FROM ({inner_sql}) s {_scam_type_elements("s.scam_types")}
        ) x
        GROUP BY region_code, day, code
    """  # noqa: S608
    statuses = [TransferCheck.Status.HEEDED.value, TransferCheck.Status.PROCEEDED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*statuses, TransferCheck.Resolution.CANCELLED.value, *params])
        found = cursor.fetchall()
    return [
        {
            "region_code": region,
            "day": day if isinstance(day, date) else date.fromisoformat(str(day)[:10]),
            "code": str(code)[:40],
            "shown": int(shown or 0),
            "heeded": int(heeded or 0),
            "proceeded": int(proceeded or 0),
            "protected": Decimal(str(protected or 0)),
        }
        for region, day, code, shown, heeded, proceeded, protected in found
    ]


def _compute(
    scope: Scope,
) -> tuple[dict[Cell, Row], dict[CampaignCell, Row], dict[BreakdownCell, Row]]:
    """Every figure of the cells in ``scope``, grouped by the database: one query per source.
    Returns the daily rows and the per-campaign rows (offline figures only)."""
    daily: dict[Cell, dict[str, Any]] = {}

    def cell(county: str, day: date) -> dict[str, Any]:
        return daily.setdefault((county, day), dict.fromkeys(DAILY_FIELDS, 0))

    campaign_rows: dict[CampaignCell, Row] = {}
    logs = _approved_logs(scope)
    if logs is not None:
        by_cell: list[Row] = [
            dict(r) for r in logs.values("county_id", "held_on").annotate(**_offline_sums())
        ]
        for row in by_cell:
            target = cell(row["county_id"], row["held_on"])
            for name in OFFLINE_FIELDS:
                target[name] = row[name] or 0
        by_campaign: list[Row] = [
            dict(r)
            for r in logs.values("campaign_id", "county_id", "held_on").annotate(**_offline_sums())
        ]
        for row in by_campaign:
            key = (row["campaign_id"], row["county_id"], row["held_on"])
            campaign_rows[key] = {name: row[name] or 0 for name in OFFLINE_FIELDS}

    if scope.has_unplaced:
        lessons = _on_days(LessonProgress.objects.all(), "completed_at", scope.days)
        for row in lessons.values("day").annotate(
            n=Count("id"), learners=Count("user_id", distinct=True)
        ):
            target = cell(UNPLACED, row["day"])
            target["lessons_completed"] = row["n"]
            target["learners_active"] = row["learners"]
        courses = _on_days(
            Enrollment.objects.filter(completed_at__isnull=False), "completed_at", scope.days
        )
        for row in courses.values("day").annotate(n=Count("id")):
            cell(UNPLACED, row["day"])["courses_completed"] = row["n"]
        certificates = _on_days(
            Certificate.objects.filter(revoked_at__isnull=True), "issued_at", scope.days
        )
        for row in certificates.values("day").annotate(n=Count("id")):
            cell(UNPLACED, row["day"])["certificates_issued"] = row["n"]

    checks = _on_days(TransferCheck.objects.all(), "created_at", scope.days)
    if scope.counties is not None:
        where = Q(region_code__in=scope.placed)
        if scope.has_unplaced:
            counties = Region.objects.filter(level=Level.COUNTY).values("code")
            where |= ~Q(region_code__in=counties)
        checks = checks.filter(where)
    check_rows = list(checks.values("region_code", "day").annotate(**_check_sums()))
    by_band = list(
        checks.values("region_code", "day", code=F("age_band")).annotate(**_check_sums())
    )
    by_type = _by_scam_type(checks)
    counties_known = _county_parents(r["region_code"] for r in [*check_rows, *by_band, *by_type])

    def placed(region_code: str) -> str:
        return region_code if region_code in counties_known else UNPLACED

    def add_checks(target: Row, row: Row) -> None:
        target["checks_shown"] += row["shown"]
        target["checks_heeded"] += row["heeded"]
        target["checks_proceeded"] += row["proceeded"]
        target["protected_funds"] += Decimal(row["protected"] or 0)

    for row in check_rows:
        add_checks(cell(placed(row["region_code"]), row["day"]), row)
    breakdown: dict[BreakdownCell, Row] = {}
    for dimension, rows in ((AGE_BAND, by_band), (SCAM_TYPE, by_type)):
        for row in rows:
            group: BreakdownCell = (
                dimension,
                placed(row["region_code"]),
                row["day"],
                row["code"] or "",
            )
            add_checks(breakdown.setdefault(group, dict.fromkeys(CHECK_FIELDS, 0)), row)
    for figures in breakdown.values():
        figures["protected_funds"] = Decimal(figures["protected_funds"]).quantize(CENT)
    breakdown = {k: v for k, v in breakdown.items() if any(v[f] for f in CHECK_FIELDS)}

    for figures in daily.values():
        figures["protected_funds"] = Decimal(figures["protected_funds"]).quantize(CENT)
        figures["person_times"] = (
            figures["attendees_total"] + figures["learners_active"] + figures["checks_shown"]
        )
    # A cell where nothing countable happened (say, a check never opened) is not stored.
    daily = {k: v for k, v in daily.items() if any(v[f] for f in DAILY_FIELDS)}
    return daily, campaign_rows, breakdown


def _same(fields: list[str], have: dict[str, Any], want: dict[str, Any]) -> bool:
    for name in fields:
        a, b = have[name], want[name]
        if isinstance(b, Decimal):
            a, b = Decimal(a).quantize(CENT), b.quantize(CENT)
        if a != b:
            return False
    return True


def _sync(
    model: type[models.Model],
    existing_qs: QuerySet[Any],
    key_fields: list[str],
    fields: list[str],
    wanted: dict[tuple[Any, ...], Row],
    parents: dict[str, tuple[str, str]],
) -> int:
    """Make the rows of ``existing_qs`` equal ``wanted``, touching only rows that differ.
    Returns how many cells changed."""
    existing = {
        tuple(row[k] for k in key_fields): row
        for row in existing_qs.order_by().values("id", *key_fields, *fields)
    }
    stale = {
        key
        for key, row in existing.items()
        if key not in wanted or not _same(fields, row, wanted[key])
    }
    fresh: dict[tuple[Any, ...], models.Model] = {}
    for key, figures in wanted.items():
        if key in existing and key not in stale:
            continue
        values = dict(zip(key_fields, key, strict=True))
        prefecture, province = parents.get(values["county_code"], ("", ""))
        fresh[key] = model(**values, prefecture_code=prefecture, province_code=province, **figures)
    ids = [existing[key]["id"] for key in stale]
    for start in range(0, len(ids), 1000):
        model._default_manager.filter(id__in=ids[start : start + 1000]).delete()
    model._default_manager.bulk_create(list(fresh.values()), batch_size=1000)
    return len(stale | set(fresh))


def _apply(scope: Scope) -> int:
    """Recompute and store every cell in ``scope``. Must run inside the refresh's lock."""
    daily, per_campaign, breakdown = _compute(scope)
    campaign_keyed = {(c, county, day): v for (c, county, day), v in per_campaign.items()}
    parents = _county_parents(
        {k[0] for k in daily} | {k[1] for k in campaign_keyed} | {k[1] for k in breakdown}
    )
    daily_qs = ReachDaily.objects.filter(day__in=scope.days)
    campaign_qs = CampaignReachDaily.objects.filter(day__in=scope.days)
    breakdown_qs = CheckBreakdownDaily.objects.filter(day__in=scope.days)
    if scope.counties is not None:
        daily_qs = daily_qs.filter(county_code__in=scope.counties)
        campaign_qs = campaign_qs.filter(county_code__in=scope.counties)
        breakdown_qs = breakdown_qs.filter(county_code__in=scope.counties)
    changed = _sync(ReachDaily, daily_qs, ["county_code", "day"], DAILY_FIELDS, daily, parents)
    changed += _sync(
        CampaignReachDaily,
        campaign_qs,
        ["campaign_id", "county_code", "day"],
        OFFLINE_FIELDS,
        campaign_keyed,
        parents,
    )
    changed += _sync(
        CheckBreakdownDaily,
        breakdown_qs,
        ["dimension", "county_code", "day", "code"],
        CHECK_FIELDS,
        breakdown,
        parents,
    )
    return changed


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


def _rebuild_locked(
    mark: Watermark, started: datetime, progress: Callable[[int, int], None] | None
) -> RunResult:
    days = _source_days()
    changed = 0
    for model in (ReachDaily, CampaignReachDaily, CheckBreakdownDaily):
        rows = model._default_manager.all()
        if days:
            rows = rows.exclude(day__range=(days[0], days[-1]))
        changed += rows.delete()[0]
    chunks = [days[i : i + DAYS_PER_CHUNK] for i in range(0, len(days), DAYS_PER_CHUNK)]
    for done, block in enumerate(chunks, start=1):
        changed += _apply(Scope(tuple(block)))
        if progress:
            progress(done, len(chunks))
    SessionLogCell.objects.all().delete()
    _ledger_update(SessionLog.objects.order_by())
    mark.value = started - _overlap()
    mark.save(update_fields=["value"])
    return RunResult("ok", rows_changed=changed, cells=len(days), details={"days": len(days)})


def reach_rebuild(*, progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Recompute every cell from the sources, in one transaction holding the refresh lock
    (a concurrent refresh skips its turn). Gives the same rows as any run of refreshes;
    also removes figures of source rows deleted since. ``progress(done, total)`` is called
    after each month."""
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
    started = now or timezone.now()
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


@contextmanager
def job_run_record(job: str) -> Iterator[JobRun]:
    """Record one run of ``job``: started, finished, duration, outcome; on an exception the
    error with its traceback is kept (and the exception raised again for the retry)."""
    run = JobRun.objects.create(job=job)
    clock = time.monotonic()
    try:
        yield run
    except Exception as exc:
        run.outcome = JobRun.Outcome.FAILED
        run.error = "".join(traceback.format_exception(exc))[-4000:]
        logger.exception("job %s failed", job, extra={"job": job, "job_run": run.pk})
        raise
    finally:
        run.finished_at = timezone.now()
        run.duration_ms = round((time.monotonic() - clock) * 1000)
        if run.outcome == JobRun.Outcome.RUNNING:
            run.outcome = JobRun.Outcome.OK
        run.save()


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
