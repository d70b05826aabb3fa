"""Remind volunteers of planned sessions not logged, daily at 10:00 China time (after the
morning's logs are synced, outside quiet hours); editable in the admin."""

from django.db import migrations

from core.schedules import BEAT_MIGRATION, Daily, schedules_operation


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_session_not_logged_kind"), BEAT_MIGRATION]

    operations = [
        schedules_operation(
            Daily(
                "Reminders: planned sessions not logged",
                "notifications.plan_unlogged",
                hour=10,
                minute=0,
            )
        )
    ]
