"""Reading a package's files safely (ZIP or folder): names, sizes and counts checked
before anything is unpacked; the format's constants and its one error."""

from __future__ import annotations

import io
import posixpath
import stat
import zipfile
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

FORMAT = "anquan-course-package"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MANIFEST = "course.json"
LANGUAGES = ("zh-hans", "en")
IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}
MAX_IMAGE_PIXELS = 40_000_000


class PackageError(ValueError):
    """A package that cannot be imported; the message says why, for a person to read."""


def _limits() -> tuple[int, int, int]:
    return (
        settings.EDU_PACKAGE_MAX_BYTES,
        settings.EDU_PACKAGE_MAX_FILE_BYTES,
        settings.EDU_PACKAGE_MAX_FILES,
    )


def _safe_name(name: str) -> str:
    """A member name as a clean relative POSIX path, or PackageError (path traversal)."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        raise PackageError(_("The archive has an unsafe file name: %(name)s") % {"name": name})
    clean = posixpath.normpath(name)
    if clean.startswith("../") or clean == ".." or "/../" in f"/{clean}/":
        raise PackageError(_("The archive has an unsafe file name: %(name)s") % {"name": name})
    return clean


def read_zip(data: bytes) -> dict[str, bytes]:
    """The files of a ZIP package, checked for traversal, links, size and count."""
    max_total, max_file, max_files = _limits()
    if len(data) > max_total:
        raise PackageError(
            _("The archive is larger than the allowed %(size)s.")
            % {"size": filesizeformat(max_total)}
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as error:
        raise PackageError(_("This is not a ZIP archive (or it is damaged).")) from error
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > max_files:
        raise PackageError(_("The archive holds more than %(n)s files.") % {"n": max_files})
    files: dict[str, bytes] = {}
    total = 0
    for info in members:
        name = _safe_name(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise PackageError(_("The archive contains a link: %(name)s") % {"name": name})
        if info.file_size > max_file:
            raise PackageError(_("A file in the archive is too large: %(name)s") % {"name": name})
        total += info.file_size
        if total > max_total:
            raise PackageError(
                _("The archive unpacks to more than the allowed %(size)s.")
                % {"size": filesizeformat(max_total)}
            )
        try:
            with archive.open(info) as member:
                # Never trust the declared size: read one byte past the limit.
                content = member.read(max_file + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
            raise PackageError(
                _("A file in the archive cannot be read: %(name)s") % {"name": name}
            ) from error
        if len(content) > max_file or len(content) != info.file_size:
            raise PackageError(_("A file in the archive is too large: %(name)s") % {"name": name})
        if name in files:
            raise PackageError(
                _("The archive holds the same file twice: %(name)s") % {"name": name}
            )
        files[name] = content
    return files


def read_folder(folder: Path) -> dict[str, bytes]:
    """The files of a package kept as a folder (same rules as an archive)."""
    max_total, max_file, max_files = _limits()
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise PackageError(_("The archive contains a link: %(name)s") % {"name": path.name})
        if not path.is_file():
            continue
        name = _safe_name(path.relative_to(folder).as_posix())
        size = path.stat().st_size
        total += size
        if size > max_file or total > max_total or len(files) >= max_files:
            raise PackageError(_("A file in the archive is too large: %(name)s") % {"name": name})
        files[name] = path.read_bytes()
    return files
