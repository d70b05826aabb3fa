"""Private files on an S3-compatible object store (a separate module so that boto3 is
imported only by a site that stores files there)."""

from __future__ import annotations

from typing import Any

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """A bucket of private files: objects written ``private`` and no URL at all, not even a
    presigned one, so a template can never link a private file by mistake. Views stream them
    through :func:`core.storage.private_file_response` after checking who asks."""

    default_acl = "private"
    querystring_auth = True

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise ValueError("Private files have no public URL; serve them through a view.")
