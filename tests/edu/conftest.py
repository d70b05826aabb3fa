from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from edu.models import Course
from edu.packages import course_package_import, read_folder

FIXTURE_COURSE = Path(__file__).resolve().parent / "fixture_course"


@pytest.fixture
def fixture_folder(tmp_path: Path) -> Path:
    """A writable copy of the fixture package, for tests that change it."""
    target = tmp_path / "fixture_course"
    shutil.copytree(FIXTURE_COURSE, target)
    return target


@pytest.fixture
def course(db: None) -> Course:
    """The fixture course, imported through the package path and published (version 1)."""
    return course_package_import(files=read_folder(FIXTURE_COURSE), by=None, publish=True).course
