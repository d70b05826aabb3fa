"""Indexes on the change columns the incremental refresh reads (``col > watermark``), so
finding what changed costs what changed, not the size of the source tables.

They live here, not in the source apps' models, because only reach statistics read by
these columns; IF NOT EXISTS keeps them harmless should an app add its own later. Partial
(``WHERE col IS NOT NULL``): a row enters the index only when the event happens, so the hot
INSERT of a transfer check (all three columns still empty) pays nothing for them."""

from django.db import migrations

INDEXES = [
    ("reach_src_tc_opened", "quizzes_transfercheck", "opened_at"),
    ("reach_src_tc_completed", "quizzes_transfercheck", "completed_at"),
    ("reach_src_tc_resolved", "quizzes_transfercheck", "resolved_at"),
    ("reach_src_log_created", "campaigns_sessionlog", "created_at"),
    ("reach_src_log_reviewed", "campaigns_sessionlog", "reviewed_at"),
    ("reach_src_enrol_completed", "edu_enrollment", "completed_at"),
    ("reach_src_cert_issued", "edu_certificate", "issued_at"),
    ("reach_src_cert_revoked", "edu_certificate", "revoked_at"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("reach", "0002_schedules"),
        ("quizzes", "0001_initial"),
        ("campaigns", "0002_reach_sources"),
        ("edu", "0003_reach_sources"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column}) WHERE {column} IS NOT NULL",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, column in INDEXES
    ]
