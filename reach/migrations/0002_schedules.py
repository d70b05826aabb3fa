"""Schedule the incremental refresh (every 5 minutes) and a nightly full rebuild, which also
catches source rows deleted outright; operators change or disable them in the admin."""

from django.db import migrations

from core.schedules import BEAT_MIGRATION, Daily, Every, schedules_operation


def create_watermark(apps, schema_editor):
    apps.get_model("reach", "Watermark").objects.get_or_create(name="reach")


class Migration(migrations.Migration):
    dependencies = [("reach", "0001_initial"), BEAT_MIGRATION]

    operations = [
        schedules_operation(
            Every("Reach statistics: incremental refresh", "reach.refresh", every=5),
            Daily("Reach statistics: nightly full rebuild", "reach.rebuild", hour=4, minute=10),
        ),
        migrations.RunPython(create_watermark, migrations.RunPython.noop),
    ]
