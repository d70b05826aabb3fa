"""Every ten minutes, render certificates whose first render request was lost (broker
down at the time). Operators can change or disable it in the admin."""

from django.db import migrations

from core.schedules import BEAT_MIGRATION, Every, schedules_operation


class Migration(migrations.Migration):
    dependencies = [("edu", "0001_initial"), BEAT_MIGRATION]

    operations = [
        schedules_operation(
            Every(
                "Render certificates still waiting for their files",
                "edu.certificates_render_pending",
                every=10,
            )
        )
    ]
