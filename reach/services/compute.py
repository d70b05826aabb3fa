"""The GROUP BY queries that compute whole cells from the source rows (approved logs,
lesson progress, transfer checks), the same for a refresh and a rebuild."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When

from campaigns.models import SessionLog
from campaigns.models import Status as LogStatus
from edu.models import Certificate, Enrollment, LessonProgress
from quizzes.models import TransferCheck
from regions.models import Level, Region

from ..models import (
    AUDIENCES,
)
from .cells import (
    AGE_BAND,
    CENT,
    CHECK_FIELDS,
    DAILY_FIELDS,
    OFFLINE_FIELDS,
    SCAM_TYPE,
    UNPLACED,
    BreakdownCell,
    CampaignCell,
    Cell,
    Row,
    Scope,
    _county_parents,
    _on_days,
)

logger = logging.getLogger(__name__)


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


# Protected funds (docs/reach.md): the amount of a check the user was shown (opened_at),
# where they chose to stop (heeded), that the risk system then reported cancelled, in CNY, and
# under its client's ceiling or confirmed by staff. Anything else counts nowhere, whatever a
# client reports: a resolution is not evidence that our quiz protected anything.
PROTECTED = (
    Q(opened_at__isnull=False)
    & Q(status=TransferCheck.Status.HEEDED)
    & Q(resolution=TransferCheck.Resolution.CANCELLED)
    & Q(currency="CNY")
    & (Q(amount_flagged=False) | Q(amount_confirmed_at__isnull=False))
)


def _counted_checks() -> QuerySet[TransferCheck]:
    """The checks the figures count: none of a client staff left out of the figures."""
    return TransferCheck.objects.filter(client__figures_excluded_at__isnull=True)


def _check_sums() -> dict[str, Any]:
    return {
        "shown": Count("id", filter=Q(opened_at__isnull=False)),
        "heeded": Count("id", filter=Q(status=TransferCheck.Status.HEEDED)),
        "proceeded": Count("id", filter=Q(status=TransferCheck.Status.PROCEEDED)),
        "protected": Sum("amount", filter=PROTECTED),
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
    inner_sql, params = (
        checks.annotate(
            counted=Case(
                When(PROTECTED, then=F("amount")),
                default=Value(Decimal(0)),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .values("id", "region_code", "day", "scam_types", "opened_at", "status", "counted")
        .query.sql_with_params()
    )
    # Only Django-compiled SQL (with its own parameters) and constant text go in here.
    sql = f"""
        SELECT region_code, day, code,
            SUM(CASE WHEN opened_at IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
            SUM(counted)
        FROM (
            SELECT DISTINCT s.id, s.region_code, s.day, s.opened_at, s.status, s.counted,
                COALESCE(t.value, '') AS code
            FROM ({inner_sql}) s {_scam_type_elements("s.scam_types")}
        ) x
        GROUP BY region_code, day, code
    """  # noqa: S608
    statuses = [TransferCheck.Status.HEEDED.value, TransferCheck.Status.PROCEEDED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*statuses, *params])
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


CellRow = Callable[[str, date], Row]


def _compute(
    scope: Scope,
) -> tuple[dict[Cell, Row], dict[CampaignCell, Row], dict[BreakdownCell, Row]]:
    """Every figure of the cells in ``scope``, grouped by the database: one query per source.
    Returns the daily rows, the per-campaign rows (offline figures only) and the check
    breakdowns by age band and scam type."""
    daily: dict[Cell, Row] = {}

    def cell(county: str, day: date) -> Row:
        return daily.setdefault((county, day), dict.fromkeys(DAILY_FIELDS, 0))

    campaign_rows = _offline_figures(scope, cell)
    if scope.has_unplaced:
        _online_figures(scope, cell)
    breakdown = _check_figures(scope, cell)

    for figures in daily.values():
        figures["protected_funds"] = Decimal(figures["protected_funds"]).quantize(CENT)
        figures["person_times"] = (
            figures["attendees_total"] + figures["learners_active"] + figures["checks_shown"]
        )
    # A cell where nothing countable happened (say, a check never opened) is not stored.
    daily = {k: v for k, v in daily.items() if any(v[f] for f in DAILY_FIELDS)}
    return daily, campaign_rows, breakdown


def _offline_figures(scope: Scope, cell: CellRow) -> dict[CampaignCell, Row]:
    """Approved sessions into their cells; returns the same figures per campaign."""
    campaign_rows: dict[CampaignCell, Row] = {}
    logs = _approved_logs(scope)
    if logs is None:
        return campaign_rows
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
    return campaign_rows


def _online_figures(scope: Scope, cell: CellRow) -> None:
    """Online learning, which has no county: into the unplaced cells of its days."""
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


def _check_figures(scope: Scope, cell: CellRow) -> dict[BreakdownCell, Row]:
    """Transfer checks into their cells (unplaced when the county is unknown); returns the
    breakdowns by age band and by scam type."""
    checks = _on_days(_counted_checks(), "created_at", scope.days)
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
    return {k: v for k, v in breakdown.items() if any(v[f] for f in CHECK_FIELDS)}
