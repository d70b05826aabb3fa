"""Where media and private files live: this host's disk, or an S3-compatible object store.

One function builds the ``STORAGES`` entries from the environment, so the settings, the
worker and web processes a test starts, and a test inside its own process all configure the
object store the same way (tests/core/test_object_storage.py).

Two buckets, never one: public content assets (course, lesson and question images, lesson
audio) in ``AWS_STORAGE_BUCKET_NAME``, readable by anyone at the bucket's URL; personal
files (certificates, session photos, exports) in ``AWS_PRIVATE_STORAGE_BUCKET_NAME``, which
must not be publicly readable and which we never give a URL: they are streamed to the
browser by the views that check who asks (core/storage.py explains why not presigned URLs).

The connection: ``AWS_S3_ENDPOINT_URL`` (any S3-compatible store; unset, AWS itself) and
``AWS_S3_REGION_NAME`` here; the keys ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``
are read from the environment by django-storages and boto3 themselves (or an instance
role), so they never sit in the settings.
https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

S3_BACKEND = "core.storage_s3.PublicS3Storage"
PRIVATE_S3_BACKEND = "core.storage_s3.PrivateS3Storage"


def _common(environ: Mapping[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {
        # Like the file system: a second file of the same name gets a new name, never
        # replaces the first (two volunteers' photos both called IMG_0001.jpg).
        "file_overwrite": False,
    }
    if environ.get("AWS_S3_ENDPOINT_URL"):
        options["endpoint_url"] = environ["AWS_S3_ENDPOINT_URL"]
    if environ.get("AWS_S3_REGION_NAME"):
        options["region_name"] = environ["AWS_S3_REGION_NAME"]
    if environ.get("AWS_LOCATION"):
        options["location"] = environ["AWS_LOCATION"]
    if environ.get("AWS_S3_ADDRESSING_STYLE"):
        options["addressing_style"] = environ["AWS_S3_ADDRESSING_STYLE"]
    return options


def media_storage(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The public media storage on the object store, or None to keep the default."""
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return None
    options = _common(environ) | {
        "bucket_name": bucket,
        # Content assets are public: plain, cacheable URLs, no signature that expires.
        "querystring_auth": False,
        "object_parameters": {"CacheControl": "public, max-age=86400"},
    }
    if environ.get("AWS_S3_CUSTOM_DOMAIN"):
        options["custom_domain"] = environ["AWS_S3_CUSTOM_DOMAIN"]
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def private_storage(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The private storage on the object store, or None to keep the default."""
    bucket = environ.get("AWS_PRIVATE_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return None
    options = _common(environ) | {"bucket_name": bucket, "default_acl": "private"}
    return {"BACKEND": PRIVATE_S3_BACKEND, "OPTIONS": options}


def media_origin(environ: Mapping[str, str]) -> str | None:
    """The origin public media are served from when they are on the object store (for the
    Content Security Policy), or None when they are served by this site."""
    if not environ.get("AWS_STORAGE_BUCKET_NAME"):
        return None
    if environ.get("AWS_S3_CUSTOM_DOMAIN"):
        return "https://" + environ["AWS_S3_CUSTOM_DOMAIN"].split("/")[0]
    endpoint = urlsplit(environ.get("AWS_S3_ENDPOINT_URL", ""))
    if endpoint.scheme and endpoint.netloc:
        if environ.get("AWS_S3_ADDRESSING_STYLE") == "virtual":
            return f"{endpoint.scheme}://{environ['AWS_STORAGE_BUCKET_NAME']}.{endpoint.netloc}"
        return f"{endpoint.scheme}://{endpoint.netloc}"
    return "https://*.amazonaws.com"
