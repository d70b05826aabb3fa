"""Seed the contract's scam types and audiences; schedule the periodic quizzes tasks (editable
in the admin)."""

from django.db import migrations

from core.schedules import BEAT_MIGRATION, Every, schedules_operation
from quizzes.codes import codes_seed


def seed_codes(apps, schema_editor):
    codes_seed(apps.get_model("quizzes", "ScamType"), apps.get_model("quizzes", "Audience"))


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0001_initial"), BEAT_MIGRATION]

    operations = [
        migrations.RunPython(seed_codes, migrations.RunPython.noop),
        schedules_operation(
            Every(
                "Transfer checks: dispatch due webhooks",
                "quizzes.webhooks_dispatch_due",
                every=15,
                period="seconds",
            ),
            Every(
                "Transfer checks: expire overdue checks",
                "quizzes.transfer_checks_expire_due",
                every=60,
                period="seconds",
            ),
            Every(
                "Transfer checks: purge old idempotency keys",
                "quizzes.idempotency_keys_purge",
                every=3600,
                period="seconds",
            ),
        ),
    ]
