"""Schedule the nightly housekeeping task; operators can change or disable it in the admin."""

from django.db import migrations

from core.schedules import BEAT_MIGRATION, Daily, schedules_operation


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), BEAT_MIGRATION]

    operations = [
        schedules_operation(
            Daily(
                "Nightly housekeeping (expired sessions, old worker pings)",
                "core.housekeeping",
                hour=3,
                minute=30,
            )
        )
    ]
