"""Learner pages: catalogue, course, lesson, my learning, certificate verification.

Guests read and complete lessons without an account (progress in the session, merged on
sign-up). Editors preview a draft course, or the unpublished changes of a published one, under
``/courses-preview/<slug>/``: the learner's pages with a "not published" banner, saving
nothing; learners get 404 there."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.service_workers import service_worker_view
from core.storage import private_file_response
from quizzes.selectors import audience_choices

from . import checks, selectors, services
from .models import Course, Lesson, Topic
from .offline import served_token
from .rendering import markdown_to_safe_html

# Saved courses: served from /courses/ so its scope covers every course and lesson page.
service_worker = service_worker_view("js/courses-sw.js", "/courses/")


def _language() -> str:
    return get_language() or "zh-hans"


def _may_preview(request: HttpRequest) -> bool:
    return request.user.has_perm("edu.change_course")


PUBLIC_URLS = {"course": "edu:course", "lesson": "edu:lesson", "complete": "edu:lesson-complete"}
PREVIEW_URLS = {
    "course": "edu:course-preview",
    "lesson": "edu:lesson-preview",
    "complete": "edu:lesson-preview-complete",
}


def _outline(request: HttpRequest, slug: str) -> Course:
    try:
        return selectors.course_outline(slug=slug)
    except Course.DoesNotExist as error:
        raise Http404 from error


def _to_preview(request: HttpRequest, slug: str, *args: str) -> HttpResponseRedirect:
    """An editor who opens a course learners cannot see yet is sent to its preview."""
    if (
        not _may_preview(request)
        or not Course.objects.filter(slug=slug, draft_of__isnull=True).exists()
    ):
        raise Http404
    return redirect(PREVIEW_URLS["lesson" if args else "course"], slug, *args)


def _preview_outline(request: HttpRequest, slug: str) -> tuple[Course, str]:
    """What the preview of ``slug`` shows, and the banner's note. Staff only: 404 for
    everyone else, so a preview does not even reveal that a draft exists."""
    if not _may_preview(request):
        raise Http404
    try:
        live, shown = selectors.course_preview_outline(slug=slug)
    except Course.DoesNotExist as error:
        raise Http404 from error
    if shown.pk == live.pk and live.is_published:
        raise _NothingPending
    if shown.pk != live.pk:
        note = _("Learners still see the published version until these changes are published.")
    else:
        note = _("This course is a draft and learners cannot see it yet.")
    return shown, note


class _NothingPending(Exception):
    """A published course without unpublished changes: its preview is the course itself."""


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
    try:
        course = selectors.course_outline(slug=slug)
    except Course.DoesNotExist:
        return _to_preview(request, slug)
    return _course_page(request, course, slug=slug, preview="")


def course_preview(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        course, note = _preview_outline(request, slug)
    except _NothingPending:
        return redirect("edu:course", slug)
    return _course_page(request, course, slug=slug, preview=note)


def _course_page(request: HttpRequest, course: Course, *, slug: str, preview: str) -> HttpResponse:
    """The course page; in a preview, as a learner who has not started sees it."""
    language = _language()
    lessons = selectors.outline_lessons(course)
    done: set[int] = set()
    resume_id = None
    certificate = None
    if not preview:
        done = selectors.completed_lesson_ids(
            user=request.user,
            session=request.session,
            lesson_ids=[lesson.pk for lesson in lessons],
        )
        resume_id = selectors.resume_lesson_id(
            user=request.user, session=request.session, course=course
        )
        if request.user.is_authenticated:
            certificate = course.certificates.filter(user=request.user).first()
    next_lesson = next((lesson for lesson in lessons if lesson.pk not in done), None)
    resume = next((lesson for lesson in lessons if lesson.pk == resume_id), None)
    if resume is not None and resume.pk in done and next_lesson is not None:
        resume = next_lesson
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
            "course_slug": slug,
            "urls": PREVIEW_URLS if preview else PUBLIC_URLS,
            "title": course.text("title", language),
            "summary": course.text("summary", language),
            "modules": modules,
            "done": len(done),
            "total": len(lessons),
            "percent": round(100 * len(done) / len(lessons)) if lessons else 0,
            "start": resume or next_lesson or (lessons[0] if lessons else None),
            "started": bool(done) or resume_id is not None,
            "certificate": certificate,
            # Completed an earlier version; lessons added since are still to read.
            "new_lessons": certificate is not None and next_lesson is not None,
            "preview": preview,
        },
    )


def _lesson_context(
    request: HttpRequest, course: Course, lesson_slug: str, *, slug: str = "", preview: str = ""
) -> dict[str, Any]:
    lessons = selectors.outline_lessons(course)
    index = next((i for i, lesson in enumerate(lessons) if lesson.slug == lesson_slug), None)
    if index is None:
        raise Http404
    lesson = lessons[index]
    language = _language()
    done: set[int] = set()
    if not preview:
        done = selectors.completed_lesson_ids(
            user=request.user, session=request.session, lesson_ids=[item.pk for item in lessons]
        )
    return {
        "course": course,
        "course_slug": slug or course.slug,
        "urls": PREVIEW_URLS if preview else PUBLIC_URLS,
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
        "preview": preview,
    }


def _audience(request: HttpRequest, course: Course) -> str:
    audiences = course.audiences or []
    return audiences[0] if audiences else "general"


def lesson_detail(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    try:
        course = selectors.course_outline(slug=slug)
    except Course.DoesNotExist:
        return _to_preview(request, slug, lesson_slug)
    context = _lesson_context(request, course, lesson_slug)
    lesson: Lesson = context["lesson"]
    if request.headers.get("X-Anquan-Saving"):
        pass  # saved for offline reading (course-offline.js), not read: no visit recorded
    elif request.user.is_authenticated:
        services.lesson_visit(user=request.user, lesson=lesson)
    else:
        services.guest_lesson_visit(session=request.session, lesson=lesson)
    questions = _check_questions(request, course, lesson)
    if questions is not None:
        context["questions"] = questions
        # Only the questions served here may be graded, so nobody passes by answering
        # questions of their own choosing.
        request.session[_served_key(lesson)] = [q.id for q in questions]
    if request.user.is_authenticated:
        # The same note, signed into the page, for a lesson finished offline (edu.offline).
        context["served_token"] = served_token(
            user_id=request.user.pk,
            lesson_id=lesson.pk,
            question_ids=[q.id for q in questions or []],
        )
    return render(request, "edu/lesson.html", context)


def lesson_preview(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    """A lesson of the preview, as a learner sees it; records no visit."""
    try:
        course, note = _preview_outline(request, slug)
    except _NothingPending:
        return redirect("edu:lesson", slug, lesson_slug)
    context = _lesson_context(request, course, lesson_slug, slug=slug, preview=note)
    questions = _check_questions(request, course, context["lesson"])
    if questions is not None:
        context["questions"] = questions
    return render(request, "edu/lesson.html", context)


@require_POST
def lesson_preview_complete(request: HttpRequest, slug: str, lesson_slug: str) -> HttpResponse:
    """ "Done" in a preview walks on to the next lesson and saves nothing."""
    try:
        course, note = _preview_outline(request, slug)
    except _NothingPending:
        return redirect("edu:lesson", slug, lesson_slug)
    context = _lesson_context(request, course, lesson_slug, slug=slug, preview=note)
    messages.info(request, _("This is a preview: progress is not saved."))
    if context["next"] is not None:
        return redirect("edu:lesson-preview", slug, context["next"].slug)
    return redirect("edu:course-preview", slug)


def _check_questions(request: HttpRequest, course: Course, lesson: Lesson) -> list[Any] | None:
    provider = checks.provider()
    if not checks.check_required(lesson) or provider is None:
        return None
    return list(
        provider.questions(
            scam_types=list(lesson.check_scam_types),
            audience=_audience(request, course),
            language=_language(),
            count=lesson.check_question_count,
        )
    )


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
    served = request.session.get(_served_key(lesson))
    gate = checks.knowledge_check_gate(
        lesson=lesson, served=served, answers=_answers(request, served or [])
    )
    if gate.unseen:
        messages.error(request, _("Please answer the questions at the end of the lesson."))
        return redirect("edu:lesson", slug=course.slug, lesson_slug=lesson.slug)
    if not gate.allowed and gate.result is not None:
        messages.error(
            request,
            _("You answered %(correct)s of %(total)s correctly. Read the lesson again and retry.")
            % {"correct": gate.result.correct, "total": gate.result.total},
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
    if request.user.pk != certificate.user_id:
        services.certificate_download_record(certificate=certificate, by=request.user, kind=kind)
    # Personal data: never kept by a shared cache.
    return private_file_response(
        getattr(certificate, kind),
        filename=f"certificate-{certificate.serial}.{kind}",
        content_type=CERTIFICATE_FILES[kind],
        as_attachment=True,
    )
