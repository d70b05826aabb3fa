"""On PostgreSQL: finding what changed since the watermark reads the source tables through
their indexes only, so a refresh costs what changed, not the size of the tables (the
figures of bench/reach_stats.py: the refresh at 3,000,000 checks as at 1,000,000). One arm
of an OR without an index makes the planner scan the whole table at every refresh, as
``amount_confirmed_at`` did before reach migration 0008."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import SessionLog
from edu.models import Certificate, Enrollment, LessonProgress
from quizzes.models import TransferCheck
from reach.services.incremental import _touched_cells
from tests.reach.factories import World

pytestmark = [pytest.mark.services, pytest.mark.django_db]

SOURCES = tuple(
    model._meta.db_table
    for model in (TransferCheck, SessionLog, LessonProgress, Enrollment, Certificate)
)


def test_what_changed_is_found_through_indexes_on_every_source(world: World):
    # Given some rows in every source
    world.generate(20)
    since = timezone.now() - timedelta(minutes=5)

    # When the refresh looks for the cells touched since its watermark
    with CaptureQueriesContext(connection) as captured:
        cells = _touched_cells(since)
    statements = [q["sql"] for q in captured.captured_queries]

    # Then every source table it reads is read through an index, never scanned whole
    # (sequential scans priced out, so a scan appears only where no index can serve)
    read = set()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in statements:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in SOURCES:
                if f" on {table}" in plan:
                    read.add(table)
                    assert f"Seq Scan on {table}" not in plan, plan
    assert read == set(SOURCES)
    assert cells, "the generated rows touched some cells"
