"""The course to recommend after a quiz or a transfer check.

Courses live in edu, the layer above the question bank, so the question bank cannot look
them up itself: edu registers a *course finder* when it starts
(``edu.apps.EduConfig.ready``), and this module asks it. Without edu installed, nothing is
recommended and the result pages simply show no course.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RecommendedCourse:
    title: str
    url: str

    def get_absolute_url(self) -> str:
        return self.url


# (scam type code, language) -> the course to recommend, or None.
CourseFinder = Callable[[str, str], RecommendedCourse | None]

_finders: list[CourseFinder] = []


def course_finder_register(finder: CourseFinder) -> None:
    """Called once by the app that owns courses; registering the same finder again is a
    no-op, so a repeated ``ready()`` (tests) does not stack them."""
    if finder not in _finders:
        _finders.append(finder)


def recommended_course_for(scam_type: str | None, language: str) -> RecommendedCourse | None:
    if not scam_type:
        return None
    for finder in _finders:
        course = finder(scam_type, language)
        if course is not None:
            return course
    return None
