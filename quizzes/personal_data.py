"""What quizzes hold about a person (accounts.data_requests): their self-test attempts and
answers. Erased with the account: no figure counts them. Transfer checks name no person
of ours (a payment platform's pseudonymous reference only; see docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.data_requests import PersonalDataSource
from accounts.models import User

from .models import Attempt


def attempts_export(user: User) -> list[dict[str, Any]]:
    return [
        {
            "quiz": a.quiz.title if a.quiz else None,
            "language": a.language,
            "started_at": a.started_at.isoformat(),
            "finished_at": a.finished_at.isoformat() if a.finished_at else None,
            "score": a.score,
            "questions": a.total,
            "answers": a.answers,
        }
        for a in Attempt.objects.filter(user=user).select_related("quiz").order_by("started_at")
    ]


def attempts_erase(user: User) -> dict[str, int]:
    return {"quiz_attempts": Attempt.objects.filter(user=user).delete()[0]}


SOURCE = PersonalDataSource(
    name="quizzes",
    title=_("Your quiz answers"),
    export=attempts_export,
    erase=attempts_erase,
    models=("quizzes.Attempt",),
)
