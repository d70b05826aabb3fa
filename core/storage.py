"""Private files: stored through a storage backend like any media, but never given a public
URL. Views that check who asks serve them through :func:`private_file_response` (``edu``'s
certificate downloads, ``campaigns``' session photos and exports). Public media hold content
assets only (course, lesson and question images, lesson audio); tests/core/test_file_fields.py
proves which storage every file field of every model uses.

``STORAGES["private"]`` names the backend: by default a file-system storage under
``PRIVATE_MEDIA_ROOT``, which is outside ``MEDIA_ROOT`` so the public media route never
reaches it (a system check refuses a private root inside the media root). Past one host,
``AWS_PRIVATE_STORAGE_BUCKET_NAME`` puts them in a bucket that is not public
(:class:`core.storage_s3.PrivateS3Storage`, config/settings/storage.py).

Why streamed through our views rather than redirected to a presigned URL of the bucket: the
check, the audit row of an opening by someone else and the very 404 of an unknown file stay
in one place; the answer is never cached (``no-store``) and a presigned URL would be a
bearer link, valid for its whole lifetime to whoever it is forwarded to, kept in browser
history and proxies' logs; and the object store need not be reachable from the internet.
The bytes pass through a web process: photos and certificates are a few hundred kilobytes,
and a buffering proxy in front of gunicorn (docs/deploy.md) keeps a slow phone from holding
a worker.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.utils.functional import LazyObject, cached_property, empty
from whitenoise.storage import CompressedManifestStaticFilesStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """A file-system storage under ``PRIVATE_MEDIA_ROOT`` (unless given a ``location``)
    whose files have no URL: asking for one is a programming error, so a template can never
    link a private file by mistake."""

    @cached_property
    def base_location(self) -> str:
        return str(self._location or settings.PRIVATE_MEDIA_ROOT)  # type: ignore[attr-defined]

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL; serve them through a view.")


class _PrivateStorage(LazyObject[Storage]):
    """``storages["private"]``, looked up when first used and again after ``STORAGES``
    changes, as Django's ``default_storage`` is: a FileField keeps the storage object it was
    given when its model was defined, so without this a test (or a management command)
    that points ``STORAGES`` elsewhere would still write to the old place."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]


_private = _PrivateStorage()


@receiver(setting_changed)
def _private_storage_forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty  # type: ignore[assignment]


def private_storage() -> Storage:
    """The storage of private files (a callable, so FileFields and migrations name it)."""
    return _private  # type: ignore[return-value]


def private_file_response(
    file: FieldFile, *, filename: str, content_type: str, as_attachment: bool
) -> FileResponse:
    """A private file for a view that has already checked who asks: never kept by a shared
    cache or the browser's, never sniffed into another type. A row whose file is gone (e.g.
    half-way through a move between storages) answers 404, as an unknown file does."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stored_files_delete_on_commit(*files: FieldFile) -> int:
    """Delete the stored files behind ``files`` once the current transaction commits (at
    once outside one), so a rolled-back erasure or purge leaves every file in place. A
    file already gone is no error. Returns how many names were queued."""
    names = [(file.storage, file.name) for file in files if file and file.name]

    def delete() -> None:
        for storage, name in names:
            with contextlib.suppress(FileNotFoundError):
                storage.delete(name)

    transaction.on_commit(delete)
    return len(names)


@checks.register(checks.Tags.security)
def private_root_outside_media_check(**kwargs: Any) -> list[checks.CheckMessage]:
    if (
        not settings.STORAGES.get("private", {})
        .get("BACKEND", "")
        .endswith("PrivateFileSystemStorage")
    ):
        return []
    private = Path(private_storage().location).resolve()  # type: ignore[attr-defined]
    media = Path(settings.MEDIA_ROOT).resolve()
    if private == media or media in private.parents:
        return [
            checks.Error(
                "PRIVATE_MEDIA_ROOT is inside MEDIA_ROOT, so private files would be served "
                "publicly by the media route.",
                hint="Point PRIVATE_MEDIA_ROOT at a folder outside MEDIA_ROOT.",
                id="core.E010",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def private_storage_shared_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """Media on a shared backend means several hosts; private files on one host's disk would
    then be written by a worker where the web hosts cannot read them."""
    media = settings.STORAGES["default"]["BACKEND"]
    private = settings.STORAGES.get("private", {}).get("BACKEND", "")
    if not media.endswith("FileSystemStorage") and private.endswith("FileSystemStorage"):
        return [
            checks.Warning(
                "Media use a shared storage backend but private files (certificates, session "
                "photos, exports) are on this host's disk.",
                hint="Set DJANGO_PRIVATE_STORAGE to a shared backend that is not public.",
                id="core.W011",
            )
        ]
    return []


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's storage (hashed names for far-future caching, gzip and Brotli variants),
    each name's URL worked out once per process: the manifest is read when the process
    starts and does not change while it serves, and every page asks for the same few files
    (the quiz's screens spent about 5 % of their CPU in ``{% static %}``, bench/check.py
    --profile). ``collectstatic`` in the same process forgets the URLs it had."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or settings.DEBUG or name is None:
            return str(super().url(name, force))
        try:
            return self._urls[name]
        except KeyError:
            found = self._urls[name] = str(super().url(name))
            return found

    def post_process(self, *args: Any, **kwargs: Any) -> Any:
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
