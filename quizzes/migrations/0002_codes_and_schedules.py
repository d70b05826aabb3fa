"""Seed the contract's scam types and audiences; schedule the periodic quizzes tasks (editable
in the admin)."""

from django.db import migrations

from quizzes.codes import codes_seed

SCHEDULES = [
    # (name, task, every seconds)
    ("Transfer checks: dispatch due webhooks", "quizzes.webhooks_dispatch_due", 15),
    ("Transfer checks: expire overdue checks", "quizzes.transfer_checks_expire_due", 60),
    ("Transfer checks: purge old idempotency keys", "quizzes.idempotency_keys_purge", 3600),
]


def forwards(apps, schema_editor):
    codes_seed(apps.get_model("quizzes", "ScamType"), apps.get_model("quizzes", "Audience"))
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, seconds in SCHEDULES:
        interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": interval})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, _, _ in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
