"""The GROUP BY queries that compute whole cells from the source rows (approved logs,
lesson progress, transfer checks), the same for a refresh and a rebuild.

The database does all of it: the figures of a scope go into temporary tables (one per
table of figures, each row with its prefecture and province code) without a row passing
through Python, and ``sync._apply`` writes the difference from there. A rebuild on
PostgreSQL may have some of them built as tables shaped like the table they stand for
(``staged``), ready to take its place (``swap``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Round

from campaigns.models import SessionLog
from campaigns.models import Status as LogStatus
from edu.models import Certificate, Enrollment, LessonProgress
from quizzes.models import TransferCheck
from regions.models import Level, Region

from ..models import AGE_BANDS, AUDIENCES, band_column
from .cells import (
    BAND_FIELDS,
    CHECK_FIELDS,
    DAILY_FIELDS,
    DAYS_PER_CHUNK,
    OFFLINE_FIELDS,
    SCAM_TYPE,
    Scope,
    _on_days,
)
from .sql import (
    SQL,
    _compiled,
    _count,
    _county_join,
    _create,
    _execute,
    _full_join,
    _money,
    _nonzero,
    _parents,
    _part,
    _placed,
    _summed,
)

logger = logging.getLogger(__name__)

# The temporary tables one computation fills (dropped by ``_temp_drop``).
# The checks grouped twice, with their cell: by region code, day and age band (``by_band``
# 1), and by region code, day and scam-type list (``by_band`` 0).
CHECKS_TEMP = "reach_tmp_checks"
LISTS_TEMP = "reach_tmp_lists"  # each distinct scam-type list once per distinct type it names
DAILY_TEMP = "reach_tmp_daily"
CAMPAIGN_TEMP = "reach_tmp_campaign"
BREAKDOWN_TEMP = "reach_tmp_breakdown"
TEMP_TABLES = (CHECKS_TEMP, LISTS_TEMP, DAILY_TEMP, CAMPAIGN_TEMP, BREAKDOWN_TEMP)


def _temp_drop() -> None:
    for name in TEMP_TABLES:
        _execute(f"DROP TABLE IF EXISTS {name}")


def _offline_sums() -> dict[str, Any]:
    sums: dict[str, Any] = {"sessions": Count("id")}
    for audience in AUDIENCES:
        sums[f"attendees_{audience}"] = Sum(f"attendees_{audience}")
    sums["attendees_total"] = Sum("attendees_total")
    return sums


def _approved_logs(scope: Scope) -> QuerySet[SessionLog]:
    logs = SessionLog.objects.filter(status=LogStatus.APPROVED)
    if scope.whole_range:
        logs = logs.filter(held_on__range=(scope.days[0], scope.days[-1]))
    else:
        logs = logs.filter(held_on__in=scope.days)
    if scope.counties is not None:
        # A scope of unplaced cells only has no logs: ``id IS NULL`` matches none.
        placed = Q(county_id__in=scope.placed) if scope.placed else Q(pk__isnull=True)
        logs = logs.filter(placed)
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


# Protected funds are summed in whole cents held as double precision numbers until the
# last step. Sums of whole numbers below 2**53 (90 trillion yuan in cents) are exact in
# double precision, as in integers, and cheaper in PostgreSQL's big GROUP BYs: a sum of
# integers there is a numeric sum, kept per group in memory allocated for it, where a
# double is added in place (the split by band of 300,000 checks: 0.50 s against 0.33 s).
# A cell's figure is far below that bound (an amount is below 10**12 yuan, one above its
# client's ceiling counts only once staff confirm it); the last step turns the sum into an
# exact integer, then into yuan (``_summed``).
CENTS = FloatField()


def _check_flags() -> dict[str, Any]:
    """What each check adds to its groups' figures: 1 or 0 for the counts, its amount in
    cents where it protected funds."""
    cents = Cast(Round(F("amount") * 100), CENTS)

    def flag(when: Q) -> Case:
        return Case(When(when, then=Value(1)), default=Value(0), output_field=IntegerField())

    return {
        "shown": flag(Q(opened_at__isnull=False)),
        "heeded": flag(Q(status=TransferCheck.Status.HEEDED)),
        "proceeded": flag(Q(status=TransferCheck.Status.PROCEEDED)),
        "protected": Case(When(PROTECTED, then=cents), default=Value(0.0), output_field=CENTS),
    }


def _lists_temp() -> None:
    """Every distinct scam-type list of the checks table, once per distinct element (column
    ``code``), once with "" when the list is empty or not a list: a check is joined to its
    list's rows to count once under each type it names. Few lists, however many checks. One
    of the two vendor-specific pieces (with the grouping sets of ``_checks_temp``)."""
    lists = f"(SELECT DISTINCT scam_types FROM {CHECKS_TEMP} WHERE by_band = 0) l"  # noqa: S608
    if connection.vendor == "postgresql":
        # Each list is deduplicated on its own, not the whole set of rows at once.
        select = (
            f"SELECT l.scam_types, COALESCE(t.value, '') AS code FROM {lists} "  # noqa: S608
            "LEFT JOIN LATERAL (SELECT DISTINCT e.value FROM jsonb_array_elements_text("
            "CASE WHEN jsonb_typeof(l.scam_types) = 'array' THEN l.scam_types "
            "ELSE '[]'::jsonb END) AS e(value)) t ON TRUE"
        )
    else:
        select = (
            "SELECT DISTINCT l.scam_types, COALESCE(CAST(t.value AS TEXT), '') AS code "  # noqa: S608
            f"FROM {lists} LEFT JOIN json_each(CASE WHEN json_type(l.scam_types) = 'array' "
            "THEN l.scam_types ELSE '[]' END) AS t ON 1 = 1"
        )
    _execute(f"CREATE TEMP TABLE {LISTS_TEMP} AS {select}")
    if connection.vendor == "postgresql":
        _execute(f"ANALYZE {LISTS_TEMP}")  # else taken for large, and the join sorted


def _checks_temp(scope: Scope) -> None:
    """The checks of ``scope`` grouped twice into ``CHECKS_TEMP``, each group with the cell
    it counts in (county, prefecture, province): by day and age band (``by_band`` 1: the
    daily figures and the split by age band are read from these) and by day and scam-type
    list (``by_band`` 0: the split by scam type). One grouping by band and list together
    gave about as many groups as checks wherever a cell holds few checks (2,000,000 groups
    of 3,000,000 checks spread over 300 counties and a year), and every figure then grouped
    those again. On PostgreSQL both groupings are one pass over the checks (grouping sets:
    a hash table for each as the rows go by; 1,000,000 checks, 2.7 s against 3.9 s for two
    passes); SQLite has no grouping sets, and makes two passes."""
    checks = _on_days(_counted_checks(), "created_at", scope.days)
    if scope.counties is not None:
        where = Q(region_code__in=scope.placed)
        if scope.has_unplaced:
            counties = Region.objects.filter(level=Level.COUNTY).values("code")
            where |= ~Q(region_code__in=counties)
        checks = checks.filter(where)
    rows, params = _compiled(
        checks.values("region_code", "day", "age_band", "scam_types", **_check_flags())
    )
    join, join_params = _county_join("r", "q.region_code")
    sums = (
        f"{_count('SUM(c.shown)')} AS shown, {_count('SUM(c.heeded)')} AS heeded, "
        f"{_count('SUM(c.proceeded)')} AS proceeded, SUM(c.protected) AS protected"
    )
    band = "COALESCE(q.age_band, '') AS age_band"
    figures = "q.shown, q.heeded, q.proceeded, q.protected"
    cell = f"{_placed('r')}, {_parents('r')}, q.day"
    if connection.vendor == "postgresql":
        grouped = (
            f"SELECT c.region_code, c.day, c.age_band, c.scam_types, "  # noqa: S608 - see _execute
            f"GROUPING(c.scam_types) AS by_band, {sums} FROM ({rows}) c GROUP BY GROUPING SETS "
            "((c.region_code, c.day, c.age_band), (c.region_code, c.day, c.scam_types))"
        )
        _execute(
            f"CREATE TEMP TABLE {CHECKS_TEMP} AS SELECT {cell}, q.by_band, {band}, "  # noqa: S608
            f"q.scam_types, {figures} FROM ({grouped}) q {join}",
            [*params, *join_params],
        )
        # Else the planner, with no statistics, takes ``by_band = 1`` to pick a few rows
        # of it, and groups what it reads from here by sorting (1.6 s against 0.9 s). That
        # column's are all it needs (and half the cost of all of them).
        _execute(f"ANALYZE {CHECKS_TEMP} (by_band)")
        return
    for by_band, key, statement in (
        (1, "c.age_band", f"CREATE TEMP TABLE {CHECKS_TEMP} AS"),
        (0, "c.scam_types", f"INSERT INTO {CHECKS_TEMP}"),
    ):
        columns = "c.age_band, NULL AS scam_types" if by_band else "NULL AS age_band, c.scam_types"
        grouped = (
            f"SELECT c.region_code, c.day, {columns}, {by_band} AS by_band, "  # noqa: S608
            f"{sums} FROM ({rows}) c GROUP BY c.region_code, c.day, {key}"
        )
        picked = band if by_band else "q.age_band"
        _execute(
            f"{statement} SELECT {cell}, q.by_band, {picked}, q.scam_types, "  # noqa: S608
            f"{figures} FROM ({grouped}) q {join}",
            [*params, *join_params],
        )


CELL = ["county_code", "prefecture_code", "province_code", "day"]
# Each figure of the checks and its column in ``CHECKS_TEMP``.
CHECK_SOURCES = {
    "checks_shown": "shown",
    "checks_heeded": "heeded",
    "checks_proceeded": "proceeded",
    "protected_funds": "protected",
}


def _others_by_cell(scope: Scope, logs: QuerySet[SessionLog], fields: list[str]) -> SQL:
    """The figures of the cells but the checks' (``fields``), one row a cell: the approved
    logs of a county and day, and the online learning of a day (unplaced: county "").
    Their cells never meet (a log's county is a region code, never "")."""
    by_cell = logs.values("county_id", "held_on").annotate(**_offline_sums())
    sql, params = _compiled(by_cell)
    join, join_params = _county_join("r", "q.county_id")
    offline = ", ".join(
        f"{_count('q.' + name)} AS {name}" if name in OFFLINE_FIELDS else f"0 AS {name}"
        for name in fields
    )
    logs_sql = (
        f"SELECT q.county_id AS county_code, {_parents('r')}, "  # noqa: S608 - see _execute
        f"q.held_on AS day, {offline} FROM ({sql}) q {join}"
    )
    if not scope.has_unplaced:
        return logs_sql, [*params, *join_params]
    lessons = _on_days(LessonProgress.objects.all(), "completed_at", scope.days)
    lessons = lessons.values("day").annotate(
        n=Count("id"), learners=Count("user_id", distinct=True)
    )
    courses = (
        _on_days(Enrollment.objects.filter(completed_at__isnull=False), "completed_at", scope.days)
        .values("day")
        .annotate(n=Count("id"))
    )
    certificates = (
        _on_days(Certificate.objects.filter(revoked_at__isnull=True), "issued_at", scope.days)
        .values("day")
        .annotate(n=Count("id"))
    )
    online = {"county_code": "''", "prefecture_code": "''", "province_code": "''", "day": "q.day"}
    columns = [*CELL, *fields]
    parts = [
        _part(
            _compiled(lessons),
            online | {"lessons_completed": _count("q.n"), "learners_active": _count("q.learners")},
            columns,
        ),
        _part(_compiled(courses), online | {"courses_completed": _count("q.n")}, columns),
        _part(_compiled(certificates), online | {"certificates_issued": _count("q.n")}, columns),
    ]
    cell = ", ".join(CELL)
    sums = ", ".join(_summed(name) for name in fields)
    by_day = (
        f"SELECT {cell}, {sums} FROM ("  # noqa: S608 - see _execute
        + " UNION ALL ".join(sql for sql, _ in parts)
        + f") u GROUP BY {cell}"
    )
    return (
        f"{logs_sql} UNION ALL {by_day}",
        [*params, *join_params, *[p for _, part_params in parts for p in part_params]],
    )


def _check_columns() -> list[tuple[str, str | None, str]]:
    """(column, age band or None for the cell's totals, figure) of each check figure a
    daily row holds: the totals (``CHECK_FIELDS``), then each band's (``BAND_FIELDS``)."""
    totals: list[tuple[str, str | None, str]] = [(f, None, f) for f in CHECK_FIELDS]
    return totals + [(band_column(b, f), b, f) for b in AGE_BANDS for f in CHECK_FIELDS]


def _checks_by_cell() -> str:
    """The check groups by band of ``CHECKS_TEMP`` added up by cell, one row a cell: its
    cell columns (named ``c_county_code`` ...), then each of ``_check_columns``."""
    named = ", ".join(f"'{band}'" for band in AGE_BANDS if band)
    sums = []
    for column, band, figure in _check_columns():
        total = f"SUM({CHECK_SOURCES[figure]})"
        if band is not None:
            # A band the API no longer accepts counts as none given, as the pages show it.
            match = f"age_band = '{band}'" if band else f"age_band NOT IN ({named})"
            total = f"COALESCE({total} FILTER (WHERE {match}), 0)"
        sums.append(f"{total if figure == 'protected_funds' else _count(total)} AS {column}")
    keys = ", ".join(f"{name} AS c_{name}" for name in CELL)
    return (
        f"SELECT {keys}, {', '.join(sums)} FROM {CHECKS_TEMP} "  # noqa: S608 - see _execute
        f"WHERE by_band = 1 GROUP BY {', '.join(CELL)}"
    )


def _daily_temp(scope: Scope, logs: QuerySet[SessionLog], like: str | None) -> None:
    """Every figure of the cells, one row a cell, with the split of its check figures by
    age band (``BAND_FIELDS``): the cells of the other sources joined to the checks'
    cells, a row a cell on each side (a GROUP BY over both sets of cells summed each of
    their figures a second time)."""
    figures = [f for f in DAILY_FIELDS if f != "person_times"]
    others = [f for f in figures if f not in CHECK_FIELDS]
    on = " AND ".join(f"c.c_{name} = a.{name}" for name in ("county_code", "day"))
    joined, params = _full_join(_others_by_cell(scope, logs, others), _checks_by_cell(), on)
    picked = [f"COALESCE(j.{name}, j.c_{name}) AS {name}" for name in CELL]
    picked += [f"COALESCE(j.{name}, 0) AS {name}" for name in others]
    for column, _band, figure in _check_columns():
        value = f"COALESCE(j.{column}, 0)"
        picked.append(
            _money(value, column) if figure == "protected_funds" else f"{value} AS {column}"
        )
    picked.append(
        "COALESCE(j.attendees_total, 0) + COALESCE(j.learners_active, 0) "
        "+ COALESCE(j.checks_shown, 0) AS person_times"
    )
    # A cell of the other sources always has something to count; a cell of checks none
    # shown or completed does not, and is not stored.
    counted = " OR ".join(["j.county_code IS NOT NULL", *(f"j.{f} <> 0" for f in CHECK_FIELDS)])
    _create(
        DAILY_TEMP,
        [*CELL, *others, *CHECK_FIELDS, *BAND_FIELDS, "person_times"],
        (f"SELECT {', '.join(picked)} FROM {joined} WHERE {counted}", params),  # noqa: S608
        like,
    )


def _campaign_temp(logs: QuerySet[SessionLog], like: str | None) -> None:
    sql, params = _compiled(
        logs.values("campaign_id", "county_id", "held_on").annotate(**_offline_sums())
    )
    join, join_params = _county_join("r", "q.county_id")
    figures = ", ".join(f"COALESCE({_count('q.' + name)}, 0) AS {name}" for name in OFFLINE_FIELDS)
    _create(
        CAMPAIGN_TEMP,
        ["campaign_id", *CELL, *OFFLINE_FIELDS],
        (
            f"SELECT q.campaign_id, q.county_id AS county_code, {_parents('r')}, "  # noqa: S608
            f"q.held_on AS day, {figures} FROM ({sql}) q {join}",
            [*params, *join_params],
        ),
        like,
    )


def _breakdown_temp(like: str | None) -> None:
    """The check figures split by scam type: each check once under each distinct type it
    names (its group of ``CHECKS_TEMP`` joined to its list's rows), under "" when it
    names none. (The split by age band is in the daily rows: ``_daily_temp``.)"""
    _lists_temp()
    cell = ", ".join(f"c.{name}" for name in CELL)
    sums = ", ".join(_summed(name, f"c.{CHECK_SOURCES[name]}") for name in CHECK_FIELDS)
    nonzero = _nonzero([f"c.{name}" for name in CHECK_SOURCES.values()])
    _create(
        BREAKDOWN_TEMP,
        ["dimension", *CELL, "code", *CHECK_FIELDS],
        (
            f"SELECT %s AS dimension, {cell}, SUBSTR(l.code, 1, 40) AS code, {sums} "  # noqa: S608
            f"FROM {CHECKS_TEMP} c JOIN {LISTS_TEMP} l ON l.scam_types = c.scam_types "
            f"WHERE c.by_band = 0 GROUP BY {cell}, SUBSTR(l.code, 1, 40) HAVING {nonzero}",
            [SCAM_TYPE],
        ),
        like,
    )


def _large(scope: Scope) -> bool:
    """A rebuild's scope (every county, more than a refresh's block of days)."""
    return scope.counties is None and len(scope.days) > DAYS_PER_CHUNK


def _compute(scope: Scope, staged: Mapping[str, str] | None = None) -> None:
    """Every figure of the cells in ``scope``, grouped by the database into the temporary
    tables ``DAILY_TEMP`` (the daily rows, with the split of the checks by age band),
    ``CAMPAIGN_TEMP`` (per campaign, offline figures only) and ``BREAKDOWN_TEMP`` (the
    split of the checks by scam type),
    with the columns of their tables but ``id``. A name in ``staged`` is a table shaped like
    the table it maps to instead (with ``id``), not temporary. The caller drops them
    (``_temp_drop``) or puts them in place (``swap``)."""
    staged = staged or {}
    _temp_drop()
    if connection.vendor == "postgresql" and _large(scope):
        # Room for the hash tables of a whole rebuild's GROUP BYs and for its index builds,
        # for this transaction only (the defaults, 4 and 64 MB, make them spill to disk);
        # no JIT compilation, which took longer than the statements it was for; and no
        # parallel GROUP BY: the checks' groups are about as many as the checks, so the
        # workers' partial groups would all be grouped a second time (3.0 s against
        # 4.1 s at 1,000,000 checks).
        _execute("SET LOCAL work_mem = '256MB'")
        _execute("SET LOCAL maintenance_work_mem = '256MB'")
        _execute("SET LOCAL jit = off")
        _execute("SET LOCAL max_parallel_workers_per_gather = 0")
        # Nor merge joins: the planner, which cannot know how many cells a GROUP BY
        # gives, took the logs' cells for a tenth of their number and sorted both sides
        # of their join to the checks' cells on text (the daily figures of 1,000,000
        # checks: 2.0-2.2 s against 1.8-1.9 s hashed, in one run).
        _execute("SET LOCAL enable_mergejoin = off")
        # Its ANALYZEs sample 3,000 rows, not 30,000: the statistics it needs tell
        # the two kinds of check groups apart and give the new tables' readers their first
        # plans; an ANALYZE of some columns does not count as the table's (PostgreSQL
        # leaves its count of changes as it was), so autovacuum soon analyzes each new
        # table whole at the server's target.
        _execute("SET LOCAL default_statistics_target = 10")
    logs = _approved_logs(scope)
    _checks_temp(scope)
    _daily_temp(scope, logs, staged.get(DAILY_TEMP))
    _campaign_temp(logs, staged.get(CAMPAIGN_TEMP))
    _breakdown_temp(staged.get(BREAKDOWN_TEMP))
