"""Pages: learners' self-tests (the hosted transfer-check quiz is in check_views.py).

One question per screen, plain forms (no script needed), answers checked on the server: the
page never holds the correct answer before the question is answered.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .models import Attempt, Quiz, ScamType
from .recommendations import recommended_course_for


def _option_ids(request: HttpRequest) -> list[int]:
    try:
        return [int(v) for v in request.POST.getlist("option")]
    except ValueError:
        return []


def _question_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("question", ""))
    except ValueError:
        return 0


def _screen(
    items: list[dict[str, Any]], answers: dict[str, list[int]], position: int
) -> dict[str, Any]:
    """The question at ``position`` with its options in the order drawn for this attempt."""
    item = items[position]
    found = selectors.question_with_options(item["q"], language=translation.get_language())
    if found is None:  # deleted since it was drawn
        raise Http404
    question, options = found
    by_id = {o.id: o for o in options}
    return {
        "question": question,
        "options": [by_id[o] for o in item["o"] if o in by_id],
        "number": position + 1,
        "total": len(items),
        "chosen": answers.get(str(item["q"])),
    }


def _feedback(
    items: list[dict[str, Any]], answers: dict[str, list[int]], number: int
) -> dict[str, Any]:
    if not 1 <= number <= len(answers):
        raise Http404
    screen = _screen(items, answers, number - 1)
    chosen = set(screen["chosen"] or [])
    correct = {o.id for o in screen["options"] if o.is_correct}
    return {
        **screen,
        "is_correct": chosen == correct,
        "chosen_ids": chosen,
        "is_last": number == len(items),
    }


def _wrong_answers(
    items: list[dict[str, Any]], answers: dict[str, list[int]]
) -> list[dict[str, Any]]:
    """The questions answered wrongly, in the order asked, each with its options as they
    were shown, the learner's choice and the explanation (two queries for any number)."""
    questions = selectors.questions_with_options([item["q"] for item in items])
    order = {item["q"]: item["o"] for item in items}
    wrong = []
    for question in questions:
        by_id = {o.id: o for o in question.options.all()}
        chosen = set(answers.get(str(question.id)) or [])
        if chosen == {o.id for o in by_id.values() if o.is_correct}:
            continue
        wrong.append(
            {
                "question": question,
                "options": [by_id[o] for o in order[question.id] if o in by_id],
                "chosen_ids": chosen,
            }
        )
    return wrong


def _answered_number(
    items: list[dict[str, Any]], answers: dict[str, list[int]], question_id: int
) -> int:
    """The 1-based number of an answered question (answers is a JSON object: no order)."""
    for position, item in enumerate(items):
        if item["q"] == question_id and str(question_id) in answers:
            return position + 1
    return 0


# --- Learners' self-tests -------------------------------------------------------------------

SESSION_ATTEMPTS = "quizzes_attempts"


@require_GET
def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = list(Quiz.objects.filter(is_published=True).select_related("scam_type"))
    mixed = [q for q in quizzes if q.scam_type is None]
    by_type = [q for q in quizzes if q.scam_type is not None]
    # by_type holds only quizzes with a scam type (mypy cannot carry that through the filter).
    by_type.sort(key=lambda q: (cast(ScamType, q.scam_type).position, q.slug))
    return render(request, "quizzes/quiz_list.html", {"mixed": mixed, "by_type": by_type})


@require_POST
def quiz_start(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz, slug=slug, is_published=True)
    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        attempt = services.attempt_start(quiz=quiz, user=request.user, language=language)
    except ValueError:
        return render(request, "quizzes/quiz_empty.html", {"quiz": quiz}, status=409)
    request.session[SESSION_ATTEMPTS] = [
        *request.session.get(SESSION_ATTEMPTS, [])[-19:],
        str(attempt.pk),
    ]
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _attempt(request: HttpRequest, attempt_id: Any) -> Attempt:
    attempt = get_object_or_404(Attempt.objects.select_related("quiz"), pk=attempt_id)
    owner = request.user.is_authenticated and attempt.user_id == request.user.pk
    if not owner and str(attempt.pk) not in request.session.get(SESSION_ATTEMPTS, []):
        raise Http404  # someone else's attempt
    return attempt


@require_GET
def attempt_question(request: HttpRequest, attempt_id: Any) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    if attempt.finished_at:
        return redirect("quizzes:attempt-result", attempt_id=attempt.pk)
    screen = _screen(attempt.items, attempt.answers, len(attempt.answers))
    return render(
        request,
        "quizzes/attempt_question.html",
        {**screen, "attempt": attempt, "action": f"/quizzes/attempts/{attempt.pk}/answer"},
    )


@require_POST
def attempt_answer(request: HttpRequest, attempt_id: Any) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    question_id = _question_id(request)
    services.attempt_answer(
        attempt_id=attempt.pk, question_id=question_id, option_ids=_option_ids(request)
    )
    attempt.refresh_from_db()
    number = _answered_number(attempt.items, attempt.answers, question_id)
    if number:
        return redirect("quizzes:attempt-feedback", attempt_id=attempt.pk, number=number)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


@require_GET
def attempt_feedback(request: HttpRequest, attempt_id: Any, number: int) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    feedback = _feedback(attempt.items, attempt.answers, number)
    next_url = (
        f"/quizzes/attempts/{attempt.pk}/result/"
        if feedback["is_last"]
        else f"/quizzes/attempts/{attempt.pk}/"
    )
    return render(
        request,
        "quizzes/attempt_feedback.html",
        {**feedback, "attempt": attempt, "next_url": next_url},
    )


@require_GET
def attempt_result(request: HttpRequest, attempt_id: Any) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    if not attempt.finished_at:
        return redirect("quizzes:attempt", attempt_id=attempt.pk)
    scam_type = attempt.scam_type.code if attempt.scam_type else None
    return render(
        request,
        "quizzes/attempt_result.html",
        {
            "attempt": attempt,
            "wrong": _wrong_answers(attempt.items, attempt.answers),
            "course": recommended_course_for(scam_type, attempt.language),
            "hotline": settings.ANTI_FRAUD_HOTLINE,
        },
    )
