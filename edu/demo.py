"""Demo courses for ``seed_demo``: the folders under ``edu/demo_content`` are course packages
(folder form) and load through the same import as any package. Idempotent."""

from __future__ import annotations

from pathlib import Path

from .packages import course_package_import, read_folder

DEMO_CONTENT = Path(__file__).resolve().parent / "demo_content"


def demo_courses_seed(*, folder: Path = DEMO_CONTENT) -> list[str]:
    """Import and publish every demo course; unchanged courses are left as they are."""
    slugs = []
    for package in sorted(p for p in folder.iterdir() if (p / "course.json").is_file()):
        result = course_package_import(files=read_folder(package), by=None, publish=True)
        slugs.append(result.course.slug)
    return slugs
