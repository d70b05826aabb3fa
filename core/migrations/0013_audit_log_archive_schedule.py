"""Schedule the nightly retention job (docs/privacy.md); operators can change it in the admin."""

from django.db import migrations

from core.schedules import BEAT_MIGRATION, Daily, schedules_operation


class Migration(migrations.Migration):
    dependencies = [("core", "0012_verbose_names"), BEAT_MIGRATION]

    operations = [
        schedules_operation(
            Daily(
                "Privacy: archive audit rows past their retention",
                "core.audit_log_archive",
                hour=4,
                minute=30,
            )
        )
    ]
