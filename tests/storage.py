"""Tests' choice of storage: this host's disk, or the S3-compatible server (SeaweedFS) that
scripts/services.py started for the services run.

``use_object_storage`` points the test's own process at the two buckets, under a prefix of
its own (as ``tmp_path`` keeps each test's files apart on disk); ``object_storage_env`` is
the environment a web or worker process needs to use the same buckets, read by the very
settings code production runs (config/settings/storage.py).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.core.files.storage import Storage

from config.settings.storage import media_storage, private_storage

OBJECT_STORAGE = bool(os.environ.get("TEST_S3_PRIVATE_BUCKET"))


def object_storage_env(location: str) -> dict[str, str]:
    """The production environment variables that put media and private files in the test
    run's buckets, under ``location``."""
    return {
        "AWS_STORAGE_BUCKET_NAME": os.environ["TEST_S3_MEDIA_BUCKET"],
        "AWS_PRIVATE_STORAGE_BUCKET_NAME": os.environ["TEST_S3_PRIVATE_BUCKET"],
        "AWS_LOCATION": location,
        **{
            name: os.environ[name]
            for name in ("AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_S3_ADDRESSING_STYLE")
            if name in os.environ
        },
    }


def new_location() -> str:
    return f"tests/{uuid.uuid4().hex}"


def use_object_storage(settings: object, location: str | None = None) -> str:
    """Put this test's media and private files in the buckets; return the prefix."""
    location = location or new_location()
    env = object_storage_env(location)
    storages = dict(settings.STORAGES)  # type: ignore[attr-defined]
    storages["default"] = media_storage(env)
    storages["private"] = private_storage(env)
    settings.STORAGES = storages  # type: ignore[attr-defined]
    return location


def files_of_this_test(request: object, settings: object, tmp_path: Path) -> None:
    """Each test's files apart from the others': in ``tmp_path`` on the SQLite run, in the
    buckets under a prefix of its own on the services run (unless marked ``local_files``)."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # type: ignore[attr-defined]
    if OBJECT_STORAGE and not request.node.get_closest_marker("local_files"):  # type: ignore[attr-defined]
        use_object_storage(settings)


def stored_names(storage: Storage, folder: str = "") -> list[str]:
    """Every file name in a storage (under ``folder``), on disk or in a bucket alike."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    prefix = f"{folder}/" if folder else ""
    names = [prefix + name for name in files]
    for sub in folders:
        names += stored_names(storage, prefix + sub)
    return sorted(names)
