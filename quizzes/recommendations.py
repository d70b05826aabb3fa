"""The course to recommend after a quiz or a transfer check: edu's best published course
on the scam type, in the reader's language when it has one."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class RecommendedCourse:
    title: str
    url: str

    def get_absolute_url(self) -> str:
        return self.url


def recommended_course_for(scam_type: str | None, language: str) -> RecommendedCourse | None:
    if not scam_type:
        return None
    from edu.selectors import course_for_scam_type

    course = course_for_scam_type(scam_type=scam_type, language=language)
    if course is None:
        return None
    return RecommendedCourse(
        title=course.text("title", language), url=reverse("edu:course", args=[course.slug])
    )
