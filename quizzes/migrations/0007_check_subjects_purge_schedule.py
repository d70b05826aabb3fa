"""Schedule the nightly retention job (docs/privacy.md); operators can change it in the admin."""

from django.db import migrations

from core.schedules import BEAT_MIGRATION, Daily, schedules_operation


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0006_verbose_names"), BEAT_MIGRATION]

    operations = [
        schedules_operation(
            Daily(
                "Privacy: blank transfer-check subjects past their retention",
                "quizzes.check_subjects_purge",
                hour=4,
                minute=10,
            )
        )
    ]
