"""Media and private files on an S3-compatible object store (a separate module so that
boto3 is imported only by a site that stores files there)."""

from __future__ import annotations

import threading
from typing import Any

from storages.backends.s3 import S3Storage

_sessions = threading.local()


class _SharedSession:
    """One boto3 session per thread for every storage object with the same credentials: a
    new session reads and parses the S3 service description again (about 0.1 s), which a
    storage made anew after a settings change (every test that picks its own prefix) would
    otherwise pay each time."""

    session_profile: str | None
    access_key: str | None
    secret_key: str | None
    security_token: str | None

    def _create_session(self) -> Any:
        key = (self.session_profile, self.access_key, self.secret_key, self.security_token)
        cache: dict[tuple[str | None, ...], Any] = getattr(_sessions, "by_key", {})
        _sessions.by_key = cache
        if key not in cache:
            cache[key] = super()._create_session()  # type: ignore[misc]
        return cache[key]


class PublicS3Storage(_SharedSession, S3Storage):
    """Public content assets (course, lesson and question images, lesson audio)."""


class PrivateS3Storage(_SharedSession, S3Storage):
    """A bucket of private files: objects written ``private`` and no URL at all, not even a
    presigned one, so a template can never link a private file by mistake. Views stream them
    through :func:`core.storage.private_file_response` after checking who asks."""

    default_acl = "private"
    querystring_auth = True

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise ValueError("Private files have no public URL; serve them through a view.")
