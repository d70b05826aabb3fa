"""Schedule the nightly retention job (docs/privacy.md); operators can change it in the admin."""

from django.db import migrations

from core.schedules import BEAT_MIGRATION, Daily, schedules_operation


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0006_verbose_names"), BEAT_MIGRATION]

    operations = [
        schedules_operation(
            Daily(
                "Privacy: remove session photos past their retention",
                "campaigns.session_photos_purge",
                hour=4,
                minute=20,
            )
        )
    ]
