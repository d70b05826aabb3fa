"""Pages of the hosted transfer-check quiz: the screen a payment app's risk system opens in
its web view before a risky transfer.

One request per step, no script needed: the link shows the first question at once (a GET
that writes nothing, so a link preview or a prefetch never opens the check); the first
answer opens the check; each answer is answered by its explanation with the next question
below it; then the choice, then the end screen. The page never holds a correct answer
before its question is answered. Every screen is drawn from the check's state, never from
what the browser remembers (``Cache-Control: no-store``; an answer's screen is kept for Back,
and static/js/check.js replaces it by the screen of now), so Back after the choice shows the
outcome, not a question. The signed link authorises every step (it is the secret a
CSRF token would be), so the quiz needs no cookie and no session.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.views import elder_mode_cookie_set

from . import services
from .bank_memo import question_screens
from .models import TransferCheck
from .recommendations import recommended_course_for
from .services.check_draw import Screens
from .services.check_rows import check_row
from .views import _answered_number, _option_ids, _question_id


def _quiz_path(token: str) -> str:
    """The quiz link's path (/t/<token>/), quoted: a forged token may hold anything."""
    return reverse("quizzes:check", args=[token])


def _check_id(request: HttpRequest, token: str) -> str | HttpResponse:
    """The id of the check a quiz link names; or the page for a forged or expired link."""
    check_id = services.quiz_token_check_id(token)
    if check_id is None:
        return _unknown(request, token)
    if check_id == "expired":
        return _page(
            request, None, "quizzes/check_link_expired.html", url=_quiz_path(token), status=410
        )
    return check_id


def _in_its_language(request: HttpRequest, check: TransferCheck) -> TransferCheck:
    # The quiz speaks the check's language, whatever the browser or the site remembers.
    translation.activate(check.locale)
    request.LANGUAGE_CODE = check.locale
    return check


def _unknown(request: HttpRequest, token: str) -> HttpResponse:
    return _page(
        request, None, "quizzes/check_link_invalid.html", url=_quiz_path(token), status=404
    )


def _elder_mode(request: HttpRequest, check: TransferCheck | None) -> bool:
    """The elder-mode control's choice when the user made one; else large type for older
    users (and for nobody else: the account is not looked up, the quiz has none)."""
    cookie = request.COOKIES.get("elder_mode")
    if cookie is not None:
        return cookie == "1"
    return check is not None and check.age_band == TransferCheck.AgeBand.SIXTY_PLUS


def _page(
    request: HttpRequest,
    check: TransferCheck | None,
    template: str,
    *,
    url: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """A screen of the quiz; ``url`` is the quiz link (/t/<token>/) the screen's forms and
    links lead back to."""
    context = {
        "check": check,
        "check_url": url,
        "hotline": settings.ANTI_FRAUD_HOTLINE,
        "elder_mode": _elder_mode(request, check),
        "from_post": request.method == "POST",
        **extra,
    }
    response = render(request, template, context, status=status)
    # Each screen shows the check as it is now: Back to the link asks again, never replays a
    # copy. An answer's screen (a POST's) is kept, for Back alone: without it the browser
    # could only offer to post the form again; check.js then asks for the screen of now.
    response["Cache-Control"] = "private, max-age=0" if request.method == "POST" else "no-store"
    return response


def _question(check: TransferCheck, screens: Screens, position: int) -> dict[str, Any]:
    """The question at ``position`` with its options in the order drawn for this check."""
    item = check.items[position]
    if item["q"] not in screens:
        screens.update(question_screens([item["q"]], language=check.locale))
    question = screens.get(item["q"])
    by_id = {o.id: o for o in question.options} if question else {}
    return {
        "question": question,
        "options": [by_id[o] for o in item["o"] if o in by_id],
        "number": position + 1,
        "total": len(check.items),
    }


def _feedback(check: TransferCheck, screens: Screens, number: int) -> dict[str, Any]:
    shown = _question(check, screens, number - 1)
    chosen = set(check.answers.get(str(shown["question"].id), []))
    correct = {o.id for o in shown["options"] if o.is_correct}
    return {**shown, "is_correct": chosen == correct, "chosen_ids": chosen}


def _end(request: HttpRequest, check: TransferCheck, url: str) -> HttpResponse:
    if check.status in (TransferCheck.Status.HEEDED, TransferCheck.Status.PROCEEDED):
        scam_type = check.scam_types[0] if check.scam_types else None
        course = recommended_course_for(scam_type, check.locale)
        return _page(request, check, "quizzes/check_done.html", url=url, course=course)
    return _page(request, check, "quizzes/check_link_expired.html", url=url, status=410)


def _current(
    request: HttpRequest, check: TransferCheck, screens: Screens, url: str
) -> HttpResponse:
    """The screen of the check's state: the end, the next question, or the choice."""
    if check.is_final:
        return _end(request, check, url)
    if check.status == TransferCheck.Status.PENDING:
        # Not opened: its first question as opening it will draw it (nothing written).
        items, screens = services.transfer_check_draw(check)
        check.items = items
        if not items:
            return _page(request, check, "quizzes/check_decide.html", url=url)
        context = _question(check, screens, 0)
        return _page(request, check, "quizzes/check_question.html", url=url, intro=True, **context)
    if len(check.answers) < len(check.items):
        screens = screens or services.transfer_check_draw(check)[1]  # kept in the cache
        context = _question(check, screens, len(check.answers))
        return _page(request, check, "quizzes/check_question.html", url=url, **context)
    return _page(request, check, "quizzes/check_decide.html", url=url)


@require_GET
def check_quiz(request: HttpRequest, token: str) -> HttpResponse:
    """Whatever the check is at: the first question (of a check not opened yet: shown, not
    opened), the next question, the choice, or the end.

    Safe: a link preview, a prefetch (``Sec-Purpose: prefetch``) or a reload never opens the
    check (only the first answer does), so it cannot turn a later expiry into "abandoned".
    The one write it may make is finishing a check whose time is up, as the API read and
    the sweeper would, with the same outcome."""
    check_id = _check_id(request, token)
    if isinstance(check_id, HttpResponse):
        return check_id
    found = check_row(check_id)  # one statement built once per process
    if found is None:
        return _unknown(request, token)
    check = services.transfer_check_finish_if_overdue(_in_its_language(request, found))
    return _current(request, check, {}, _quiz_path(token))


@csrf_exempt  # the signed link authorises the answer, see the module's docstring
@require_POST
def check_answer(request: HttpRequest, token: str) -> HttpResponse:
    """Record the answer (the first one opens the check); answer with its explanation and,
    below it, the next question (or the way on to the choice). An answer posted again (a
    reload) shows the same; one that is not for the next question shows the current
    screen."""
    check_id = _check_id(request, token)
    if isinstance(check_id, HttpResponse):
        return check_id
    question_id = _question_id(request)
    try:
        screen = services.transfer_check_answer(
            check_id=check_id, question_id=question_id, option_ids=_option_ids(request)
        )
    except TransferCheck.DoesNotExist:
        return _unknown(request, token)
    check, screens = _in_its_language(request, screen.check), screen.questions
    number = _answered_number(check.items, check.answers, question_id)
    url = _quiz_path(token)
    if check.is_final or not number:
        return _current(request, check, screens, url)
    feedback = _feedback(check, screens, number)
    upcoming = (
        _question(check, screens, len(check.answers))
        if len(check.answers) < len(check.items)
        else {}
    )
    return _page(request, check, "quizzes/check_step.html", url=url, feedback=feedback, **upcoming)


@csrf_exempt  # the signed link authorises the choice, see the module's docstring
@require_POST
def check_decide(request: HttpRequest, token: str) -> HttpResponse:
    """The choice, once; answered by the end screen itself (posting it again, a reload,
    shows the same end: the choice stands). Back from it finds the choice's screen, which
    is drawn anew (no-store) and so shows the end too."""
    check_id = _check_id(request, token)
    if isinstance(check_id, HttpResponse):
        return check_id
    decision = request.POST.get("decision")
    if decision not in ("stop", "continue"):
        return HttpResponseRedirect(_quiz_path(token), status=303)
    try:
        check = services.transfer_check_decide(check_id=check_id, stop=decision == "stop")
    except TransferCheck.DoesNotExist:
        return _unknown(request, token)
    return _current(request, _in_its_language(request, check), {}, _quiz_path(token))


@csrf_exempt  # a forged post could only change the type size; see below
@require_POST
def check_elder_mode(request: HttpRequest, token: str) -> HttpResponse:
    """The quiz's elder-mode control: the preference's cookie alone (the quiz has no account
    to save it on, and reads no session), so the screens need no CSRF token and set no
    cookie of their own. Without JavaScript the control posts here and comes back to the
    screen of now; with it, static/js/preferences.js switches at once and posts in the
    background."""
    # Any token: the screen it comes back to says whether the link is valid.
    response = HttpResponseRedirect(_quiz_path(token), status=303)
    elder_mode_cookie_set(request, response, enabled=request.POST.get("elder_mode") == "on")
    return response


def check_moved(request: HttpRequest, token: str, number: int | None = None) -> HttpResponse:
    """The addresses of the earlier flow (start, feedback, done), for a screen still open
    from before: they lead to the screen of now."""
    return HttpResponseRedirect(_quiz_path(token), status=303)
