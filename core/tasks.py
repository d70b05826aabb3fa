from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="core.worker_ping_answer")
def worker_ping_answer(ping_id: str) -> bool:
    return services.worker_ping_answer(ping_id=ping_id)


@shared_task(name="core.housekeeping")
def housekeeping() -> dict[str, int]:
    return services.housekeeping_run()
