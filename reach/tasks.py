from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(
    name="reach.refresh",
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_kwargs={"max_retries": 5},
)
def refresh() -> dict[str, int | str]:
    result = services.reach_job("reach.refresh")
    return {"outcome": result.outcome, "rows_changed": result.rows_changed}


@shared_task(
    name="reach.rebuild",
    autoretry_for=(Exception,),
    retry_backoff=300,
    retry_kwargs={"max_retries": 3},
    time_limit=3600,
    soft_time_limit=3500,
)
def rebuild() -> dict[str, int | str]:
    result = services.reach_job("reach.rebuild")
    return {"outcome": result.outcome, "rows_changed": result.rows_changed}
