"""Demo courses for ``seed_demo``: the folders under ``edu/demo_content`` are course packages
(folder form) and load through the same import as any package. Idempotent."""

from __future__ import annotations

import json
from pathlib import Path

from .models import Course
from .packages import PackageError, course_package_import, read_folder

DEMO_CONTENT = Path(__file__).resolve().parent / "demo_content"
# Catalogue order of a fresh database (courses not listed here follow, by name).
DEMO_ORDER = [
    "recognise-common-scams",
    "safe-money-for-seniors",
    "rational-borrowing-credit",
    "three-pots-of-money",
    "protect-personal-info",
]


def demo_courses_seed(*, folder: Path = DEMO_CONTENT) -> list[str]:
    """Import and publish every demo course; unchanged courses are left as they are."""
    slugs = []
    packages = [p for p in folder.iterdir() if (p / "course.json").is_file()]

    def order(path: Path) -> tuple[int, str]:
        known = path.name in DEMO_ORDER
        return (DEMO_ORDER.index(path.name) if known else len(DEMO_ORDER), path.name)

    for package in sorted(packages, key=order):
        files = read_folder(package)
        try:
            result = course_package_import(files=files, by=None, publish=True)
        except PackageError:
            # An editor's pending draft of this course wins over newer demo content.
            slug = json.loads(files["course.json"]).get("slug")
            if Course.objects.filter(slug=slug, working_copy__isnull=False).exists():
                continue
            raise
        slugs.append(result.course.slug)
    return slugs


# Demo learners' progress, so "my learning" and a certificate can be seen at once.
DEMO_PROGRESS = {
    # username: (course slug, lessons done; None = all)
    "learner": ("recognise-common-scams", 2),
    "elder": ("safe-money-for-seniors", None),
}


def demo_progress_seed() -> None:
    """Complete lessons for the demo learners through the real services (the elder demo
    user finishes a course and gets a certificate). Idempotent."""
    from accounts.models import User

    from .services import lesson_complete

    for username, (slug, count) in DEMO_PROGRESS.items():
        user = User.objects.filter(username=username).first()
        course = Course.objects.filter(slug=slug).first()
        if user is None or course is None:
            continue
        lessons = list(
            course.lessons.filter(retired=False).order_by("module__position", "position")
        )
        for lesson in lessons if count is None else lessons[:count]:
            lesson_complete(user=user, lesson=lesson)


def edu_demo_seed() -> list[str]:
    """Demo courses, then demo learners' progress."""
    slugs = demo_courses_seed()
    demo_progress_seed()
    return slugs


def demo_seed() -> list[str]:
    """seed_demo's part (core/demo.py)."""
    edu_demo_seed()
    return []
