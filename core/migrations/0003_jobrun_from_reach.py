# JobRun moved from reach to core (job records are a generic helper of every app's Celery
# jobs, and core must not import reach). The table is taken over as it is, then renamed.

from django.db import migrations, models
import django.utils.timezone


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_housekeeping_schedule"),
        ("reach", "0004_check_breakdown"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("job", models.CharField(db_index=True, max_length=80, verbose_name="job")),
                        ("started_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="started")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
                        ("duration_ms", models.PositiveIntegerField(blank=True, null=True, verbose_name="duration (ms)")),
                        ("rows_changed", models.PositiveIntegerField(default=0, verbose_name="rows changed")),
                        ("outcome", models.CharField(choices=[("running", "running"), ("ok", "finished"), ("skipped", "skipped (another run held the lock)"), ("failed", "failed")], default="running", max_length=10, verbose_name="outcome")),
                        ("details", models.JSONField(blank=True, default=dict, verbose_name="details")),
                        ("error", models.TextField(blank=True, verbose_name="error")),
                    ],
                    options={
                        "verbose_name": "job run",
                        "verbose_name_plural": "job runs",
                        "ordering": ["-started_at"],
                        "db_table": "reach_jobrun",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="jobrun", table=None),
    ]
