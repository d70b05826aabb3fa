from __future__ import annotations

from celery import Task, shared_task

from . import services


@shared_task(
    name="edu.certificate_render",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def certificate_render_task(self: Task, certificate_id: int) -> bool:
    return services.certificate_render(certificate_id=certificate_id)


@shared_task(name="edu.certificates_render_pending")
def certificates_render_pending_task() -> int:
    return services.certificates_render_pending()
