"""Periodic tasks created by data migrations, so that operators edit them in the admin
(django-celery-beat) instead of in code.

Each app's migration declares its schedules with :func:`schedules_operation`; applying it
creates the missing ones (an edited schedule is left as the operator made it), reverting
it removes them. Stable on purpose: migrations import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import migrations

TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Every:
    """Run every ``every`` ``period`` (seconds, minutes, hours, days)."""

    name: str
    task: str
    every: int
    period: str = "minutes"


@dataclass(frozen=True)
class Daily:
    """Run once a day at ``hour``:``minute``, China time."""

    name: str
    task: str
    hour: int
    minute: int


def schedules_operation(*schedules: Every | Daily) -> migrations.RunPython:
    def create(apps: Any, schema_editor: Any) -> None:
        periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
        for schedule in schedules:
            if isinstance(schedule, Every):
                interval, _ = apps.get_model(
                    "django_celery_beat", "IntervalSchedule"
                ).objects.get_or_create(every=schedule.every, period=schedule.period)
                when = {"interval": interval}
            else:
                crontab, _ = apps.get_model(
                    "django_celery_beat", "CrontabSchedule"
                ).objects.get_or_create(
                    minute=str(schedule.minute),
                    hour=str(schedule.hour),
                    day_of_week="*",
                    day_of_month="*",
                    month_of_year="*",
                    timezone=TIME_ZONE,
                )
                when = {"crontab": crontab}
            periodic_task.objects.get_or_create(
                name=schedule.name, defaults={"task": schedule.task, **when}
            )

    def remove(apps: Any, schema_editor: Any) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
            name__in=[schedule.name for schedule in schedules]
        ).delete()

    return migrations.RunPython(create, remove)


# The last django-celery-beat migration a schedule migration must follow.
BEAT_MIGRATION = ("django_celery_beat", "0019_alter_periodictasks_options")
