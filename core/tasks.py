from __future__ import annotations

from celery import Task, shared_task

from . import services


@shared_task(name="core.worker_ping_answer", bind=True)
def worker_ping_answer(self: Task, ping_id: str) -> bool:
    return services.worker_ping_answer(ping_id=ping_id, worker=self.request.hostname)


@shared_task(name="core.housekeeping")
def housekeeping() -> dict[str, int]:
    return services.housekeeping_run()


@shared_task(name="core.audit_log_archive")
def audit_log_archive() -> int:
    from .retention import audit_log_archive as archive

    return archive()
