from __future__ import annotations

from typing import Any

from celery import shared_task

from core.services import job_run_record

from . import services


@shared_task(name="notifications.plan", autoretry_for=(Exception,), retry_backoff=60)
def plan() -> dict[str, int]:
    with job_run_record("notifications.plan") as run:
        planned = services.reminders_plan()
        run.rows_changed = sum(planned.values())
        run.details = dict(planned)
    send_due.delay()
    return planned


@shared_task(name="notifications.send_due", autoretry_for=(Exception,), retry_backoff=30)
def send_due() -> dict[str, Any]:
    """Send one batch; queue the next batch while any is left."""
    with job_run_record("notifications.send_due") as run:
        outcomes = services.reminders_send_due()
        run.rows_changed = int(outcomes.get("sent", 0))
        run.details = outcomes
    if outcomes["more"]:
        send_due.delay()
    return outcomes


@shared_task(name="notifications.plan_unlogged", autoretry_for=(Exception,), retry_backoff=60)
def plan_unlogged() -> dict[str, int]:
    """Daily: remind volunteers of planned sessions not logged; sending follows in batches."""
    with job_run_record("notifications.plan_unlogged") as run:
        planned = services.unlogged_sessions_plan()
        run.rows_changed = planned
        run.details = {"session_not_logged": planned}
    send_due.delay()
    return {"session_not_logged": planned}
