# JobRun now belongs to core (core/migrations/0003 took over its table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("reach", "0004_check_breakdown"),
        ("core", "0003_jobrun_from_reach"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="JobRun")],
            database_operations=[],
        ),
    ]
