"""What edu holds about a person, for their copy and their erasure (accounts.data_requests).

Enrolments, lesson completions and lessons finished offline are kept on erasure, attached
to the now anonymous account: they carry nothing personal once the account has no name, and
the reach figures
(lessons completed, learners active, courses completed) are counted from them. A
certificate keeps its serial, course and date (counted in the figures; its check page then
says it names no one) and loses the name and its image and PDF files."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.data_requests import PersonalDataSource
from accounts.models import User
from core.storage import stored_files_delete_on_commit

from .models import Certificate, Enrollment, LessonProgress, OfflineCompletion


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def learning_export(user: User) -> dict[str, Any]:
    return {
        "enrolments": [
            {
                "course": e.course.slug,
                "course_title": e.course.title_zh,
                "started_at": _iso(e.started_at),
                "last_seen_at": _iso(e.last_seen_at),
                "completed_at": _iso(e.completed_at),
            }
            for e in Enrollment.objects.filter(user=user).select_related("course")
        ],
        "lessons_completed": [
            {
                "course": p.lesson.course.slug,
                "lesson": p.lesson.slug,
                "completed_at": _iso(p.completed_at),
            }
            for p in LessonProgress.objects.filter(user=user)
            .select_related("lesson__course")
            .order_by("completed_at")
        ],
        "lessons_finished_offline": [
            {
                "lesson": o.lesson.slug,
                "outcome": o.outcome,
                "finished_at": _iso(o.completed_at),
                "received_at": _iso(o.received_at),
            }
            for o in OfflineCompletion.objects.filter(user=user)
            .select_related("lesson")
            .order_by("completed_at")
        ],
        "certificates": [
            {
                "serial": c.serial,
                "course_title": c.course_title_zh,
                "name_shown": c.learner_name,
                "issued_at": _iso(c.issued_at),
                "revoked_at": _iso(c.revoked_at),
            }
            for c in Certificate.objects.filter(user=user).order_by("issued_at")
        ],
    }


def learning_erase(user: User) -> dict[str, int]:
    certificates = list(Certificate.objects.filter(user=user))
    files = stored_files_delete_on_commit(
        *[c.png for c in certificates], *[c.pdf for c in certificates]
    )
    Certificate.objects.filter(user=user).update(learner_name="", png="", pdf="")
    return {"certificates_anonymised": len(certificates), "certificate_files": files}


SOURCE = PersonalDataSource(
    name="learning",
    title=_("Your courses and certificates"),
    export=learning_export,
    erase=learning_erase,
    models=("edu.Enrollment", "edu.LessonProgress", "edu.OfflineCompletion", "edu.Certificate"),
)
