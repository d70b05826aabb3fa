"""Learner pages: catalogue, course, lesson, my learning, certificate verification.

Guests read and complete lessons without an account (progress in the session, merged on
sign-up). Editors may open draft courses here: that is the preview before publishing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from quizzes.selectors import audience_choices

from . import checks, selectors, services
from .models import Course, Lesson, Topic
from .rendering import markdown_to_safe_html


def _language() -> str:
    return get_language() or "zh-hans"


def _may_preview(request: HttpRequest) -> bool:
    return request.user.has_perm("edu.change_course")


def _outline(request: HttpRequest, slug: str) -> Course:
    try:
        return selectors.course_outline(slug=slug, include_drafts=_may_preview(request))
    except Course.DoesNotExist as error:
        raise Http404 from error


def catalogue(request: HttpRequest) -> HttpResponse:
    topic = request.GET.get("topic", "")
    audience = request.GET.get("audience", "")
    query = request.GET.get("q", "").strip()[:100]
    topic = topic if topic in Topic.values else ""
    audiences = audience_choices()
    audience = audience if audience in dict(audiences) else ""
    courses = list(selectors.course_catalogue(topic=topic, audience=audience, query=query))
    language = _language()
    return render(
        request,
        "edu/catalogue.html",
        {
            "courses": [
                {
                    "course": c,
                    "title": c.text("title", language),
                    "summary": c.text("summary", language),
                    "topic_label": Topic(c.topic).label,
                }
                for c in courses
            ],
            "topics": Topic.choices,
            "audiences": audiences,
            "topic": topic,
            "audience": audience,
            "query": query,
        },
    )


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = _outline(request, slug)
    language = _language()
    lessons = selectors.outline_lessons(course)
    done = selectors.completed_lesson_ids(
        user=request.user, session=request.session, lesson_ids=[lesson.pk for lesson in lessons]
    )
    resume_id = selectors.resume_lesson_id(
        user=request.user, session=request.session, course=course
    )
    next_lesson = next((lesson for lesson in lessons if lesson.pk not in done), None)
    resume = next((lesson for lesson in lessons if lesson.pk == resume_id), None)
    if resume is not None and resume.pk in done and next_lesson is not None:
        resume = next_lesson
    certificate = None
    if request.user.is_authenticated:
        certificate = course.certificates.filter(user=request.user).first()
    modules = [
        {
            "title": module.text("title", language),
            "lessons": [
                {
                    "lesson": lesson,
                    "title": lesson.text("title", language),
                    "done": lesson.pk in done,
                }
                for lesson in module.lessons.all()
            ],
        }
        for module in course.modules.all()
    ]
    return render(
        request,
        "edu/course.html",
        {
            "course": course,
            "title": course.text("title", language),
            "summary": course.text("summary", language),
            "modules": modules,
            "done": len(done),
            "total": len(lessons),
            "percent": round(100 * len(done) / len(lessons)) if lessons else 0,
            "start": resume or next_lesson or (lessons[0] if lessons else None),
            "started": bool(done) or resume_id is not None,
            "certificate": certificate,
            "preview": not course.is_published,
        },
    )


def _lesson_context(request: HttpRequest, course: Course, lesson_slug: str) -> dict[str, Any]:
    lessons = selectors.outline_lessons(course)
    index = next((i for i, lesson in enumerate(lessons) if lesson.slug == lesson_slug), None)
    if index is None:
        raise Http404
    lesson = lessons[index]
    language = _language()
    done = selectors.completed_lesson_ids(
        user=request.user, session=request.session, lesson_ids=[item.pk for item in lessons]
    )
    return {
        "course": course,
        "course_title": course.text("title", language),
        "lesson": lesson,
        "title": lesson.text("title", language),
        "body": markdown_to_safe_html(lesson.text("body", language)),
        "images": [
            {"image": image, "alt": image.text("alt", language)} for image in lesson.images.all()
        ],
        "position": index + 1,
        "total": len(lessons),
        "done_count": len(done),
        "percent": round(100 * len(done) / len(lessons)),
        "is_done": lesson.pk in done,
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        "preview": not course.is_published,
    }


def _audience(request: HttpRequest, course: Course) -> str:
    audiences = course.audiences or []
    return audiences[0] if audiences else "general"


def lesson_detail(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    course = _outline(request, slug)
    context = _lesson_context(request, course, lesson_slug)
    lesson: Lesson = context["lesson"]
    if course.is_published:
        if request.user.is_authenticated:
            services.lesson_visit(user=request.user, lesson=lesson)
        else:
            services.guest_lesson_visit(session=request.session, lesson=lesson)
    provider = checks.provider()
    if checks.check_required(lesson) and provider is not None:
        context["questions"] = provider.questions(
            scam_types=list(lesson.check_scam_types),
            audience=_audience(request, course),
            language=_language(),
            count=lesson.check_question_count,
        )
        # Only the questions served here may be graded, so nobody passes by answering
        # questions of their own choosing.
        request.session[_served_key(lesson)] = [q.id for q in context["questions"]]
    return render(request, "edu/lesson.html", context)


def _served_key(lesson: Lesson) -> str:
    return f"edu-check-{lesson.pk}"


def _answers(request: HttpRequest, served: list[int]) -> dict[int, list[int]]:
    """The answers to the served questions; a question left out counts as unanswered."""
    answers: dict[int, list[int]] = {}
    for question_id in served:
        try:
            answers[question_id] = [int(v) for v in request.POST.getlist(f"q-{question_id}")]
        except ValueError:
            answers[question_id] = []
    return answers


@require_POST
def lesson_complete_view(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    course = _outline(request, slug)
    context = _lesson_context(request, course, lesson_slug)
    lesson: Lesson = context["lesson"]
    if not course.is_published:
        messages.info(request, _("This is a preview: progress is not saved for draft courses."))
        return redirect("edu:lesson", slug=course.slug, lesson_slug=lesson.slug)
    provider = checks.provider()
    if checks.check_required(lesson) and provider is not None:
        served = request.session.get(_served_key(lesson))
        if served is None:  # the lesson page (and its questions) was never shown
            messages.error(request, _("Please answer the questions at the end of the lesson."))
            return redirect("edu:lesson", slug=course.slug, lesson_slug=lesson.slug)
        # An empty list: the bank had no question for this lesson, so there is no check.
        result = provider.grade(answers=_answers(request, served)) if served else None
        if result is not None and not result.passed:
            messages.error(
                request,
                _(
                    "You answered %(correct)s of %(total)s correctly. "
                    "Read the lesson again and retry."
                )
                % {"correct": result.correct, "total": result.total},
            )
            return redirect("edu:lesson", slug=course.slug, lesson_slug=lesson.slug)
    if request.user.is_authenticated:
        certificate = services.lesson_complete(user=request.user, lesson=lesson)
        if certificate is not None or (
            context["next"] is None and course.certificates.filter(user=request.user).exists()
        ):
            messages.success(request, _("Well done: you completed the course!"))
            return redirect("edu:course", slug=course.slug)
    else:
        services.guest_lesson_complete(session=request.session, lesson=lesson)
    if context["next"] is not None:
        return redirect("edu:lesson", slug=course.slug, lesson_slug=context["next"].slug)
    if not request.user.is_authenticated:
        messages.info(
            request,
            _("You read every lesson. Sign up to keep your progress and get your certificate."),
        )
    return redirect("edu:course", slug=course.slug)


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    language = _language()
    rows = [
        {
            "progress": p,
            "title": p.course.text("title", language),
            "resume": p.last_lesson,
        }
        for p in selectors.learner_progress(user=request.user)
    ]
    return render(request, "edu/my_learning.html", {"rows": rows})


def certificate_detail(request: HttpRequest, serial: str) -> HttpResponse:
    """The public verification page a certificate's QR code points at."""
    certificate = selectors.certificate_by_serial(serial=serial)
    if certificate is None:
        return render(request, "edu/certificate_unknown.html", {"serial": serial[:40]}, status=404)
    return render(
        request,
        "edu/certificate.html",
        {
            "certificate": certificate,
            "course_title": certificate.course_title(_language()),
            "is_owner": request.user.is_authenticated and request.user.pk == certificate.user_id,
            "may_download": selectors.certificate_may_download(
                certificate=certificate, user=request.user
            ),
        },
    )


CERTIFICATE_FILES = {"png": "image/png", "pdf": "application/pdf"}


@require_GET
def certificate_file(request: HttpRequest, serial: str, kind: str) -> FileResponse:
    """A certificate's image or PDF, for its owner (while valid) and staff allowed to view
    certificates. Files live in the private storage and have no public URL. Anyone else
    gets the same 404 as for a serial that does not exist, so nothing tells whether it
    does."""
    certificate = selectors.certificate_by_serial(serial=serial)
    if (
        certificate is None
        or kind not in CERTIFICATE_FILES
        or certificate.rendered_at is None
        or not selectors.certificate_may_download(certificate=certificate, user=request.user)
    ):
        raise Http404
    response = FileResponse(
        getattr(certificate, kind).open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.serial}.{kind}",
        content_type=CERTIFICATE_FILES[kind],
    )
    # Personal data: never kept by a shared cache.
    patch_cache_control(response, private=True, no_store=True)
    return response
