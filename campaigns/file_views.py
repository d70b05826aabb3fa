"""Private files of the campaigns app: session photos and background exports.

They live in the private storage (``core.storage``) and reach a browser only here, at URLs
keyed by the row's id, never by the storage path. Whoever may not see a file gets the same
404 as for a file that does not exist, signed out included (no sign-in redirect that would
tell the file exists). Every grant to someone other than the file's owner is audited."""

from __future__ import annotations

from typing import Literal, cast

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from accounts.auth import request_user
from core.storage import private_file_response

from . import selectors, services

PHOTO_FILES = ("image", "thumbnail")
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
def session_photo_file(request: HttpRequest, photo_id: int, kind: str) -> FileResponse:
    """A session photo's re-encoded image or thumbnail, shown inline."""
    photo = selectors.session_photo_get(photo_id=photo_id)
    if photo is None or kind not in PHOTO_FILES or not getattr(photo, kind):
        raise Http404
    access = selectors.session_photo_access(photo=photo, user=request.user)
    if access is None:
        raise Http404
    if access != "owner":
        services.session_photo_view_record(
            photo=photo,
            viewer=request_user(request),
            kind=cast(Literal["image", "thumbnail"], kind),
            access=access,
        )
    suffix = "-thumb" if kind == "thumbnail" else ""
    return private_file_response(
        getattr(photo, kind),
        filename=f"session-photo-{photo.pk}{suffix}.jpg",
        content_type="image/jpeg",
        as_attachment=False,
    )


@require_GET
def campaign_export_download(
    request: HttpRequest, campaign_id: int, export_id: int
) -> FileResponse:
    """A file built by Celery, for the campaign's coordinators and staff allowed to view
    exports; every download is audited."""
    export = selectors.export_get(campaign_id=campaign_id, export_id=export_id)
    if export is None or not export.file:
        raise Http404
    access = selectors.export_access(export=export, user=request.user)
    if access is None:
        raise Http404
    services.export_download_record(export=export, by=request_user(request), access=access)
    filename = (export.file.name or "").rsplit("/", 1)[-1]
    return private_file_response(
        export.file,
        filename=filename,
        content_type=EXPORT_TYPES.get(filename.rsplit(".", 1)[-1], "application/octet-stream"),
        as_attachment=True,
    )
