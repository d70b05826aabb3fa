"""Schedule the incremental refresh (every 5 minutes) and a nightly full rebuild, which also
catches source rows deleted outright; operators change or disable them in the admin."""

from django.db import migrations

REFRESH = "Reach statistics: incremental refresh"
REBUILD = "Reach statistics: nightly full rebuild"


def add_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_5, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=REFRESH, defaults={"task": "reach.refresh", "interval": every_5}
    )
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="4", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=REBUILD, defaults={"task": "reach.rebuild", "crontab": nightly}
    )
    apps.get_model("reach", "Watermark").objects.get_or_create(name="reach")


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[REFRESH, REBUILD]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reach", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
