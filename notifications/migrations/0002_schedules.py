"""Plan reminders every 15 minutes (sending follows in batches); editable in the admin."""

from django.db import migrations

from core.schedules import BEAT_MIGRATION, Every, schedules_operation


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), BEAT_MIGRATION]

    operations = [
        schedules_operation(Every("Reminders: plan and send", "notifications.plan", every=15))
    ]
