"""A file-system storage that runs out of space: the failure a real disk or bucket gives."""

from __future__ import annotations

import errno
import os

from django.core.files.storage import FileSystemStorage


class FullDiskStorage(FileSystemStorage):
    """Saves ``saves_left`` more files, then fails like a full disk (ENOSPC)."""

    saves_left = 0

    def _save(self, name, content):  # type: ignore[no-untyped-def]
        if FullDiskStorage.saves_left <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        FullDiskStorage.saves_left -= 1
        return super()._save(name, content)
