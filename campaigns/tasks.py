"""Celery tasks of the campaigns app: load by id, call a service, retry."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(
    name="campaigns.session_photo_process",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def session_photo_process_task(photo_id: int) -> str:
    photo = services.session_photo_process(photo_id=photo_id)
    return photo.status if photo is not None else "missing"


@shared_task(name="campaigns.export_build", autoretry_for=(OSError,), max_retries=3)
def export_build_task(export_id: int) -> int:
    from .exports import export_build

    export = export_build(export_id=export_id)
    return export.rows if export is not None else 0


@shared_task(name="campaigns.session_photos_purge")
def session_photos_purge_task() -> int:
    return services.session_photos_purge()
