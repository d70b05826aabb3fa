"""Helpers of the course and lesson admins for writing: slugs from the Chinese title, and
the preview of a lesson's Markdown.

- Slugs: a course's or lesson's slug may be left empty; saving makes it from the Chinese
  title in pinyin (``edu.slugs``). While the editor types the title, a small script
  (static/js/admin-authoring.js) asks ``slug_suggest_view`` and fills the empty slug.
- Preview: the lesson form's "Preview" button posts the form to ``lesson_preview_view``,
  which renders both texts with the lesson page's own renderer (sanitised the same way).
  Without JavaScript the preview opens as a page; with it, in a panel under the texts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from .models import Course, Lesson
from .rendering import markdown_to_safe_html
from .slugs import course_slug_make, lesson_slug_make

SLUG_HELP = _(
    "The lesson's or course's address. Leave it empty: it is made from the Chinese title, "
    "in pinyin."
)
AUTHORING_JS = "js/admin-authoring.js"


def _optional_slug(form: forms.BaseForm) -> None:
    slug = form.fields.get("slug")
    if slug is not None:
        slug.required = False
        slug.help_text = SLUG_HELP


class CourseSlugForm(forms.ModelForm[Course]):
    """A course form whose empty slug is made from the Chinese title."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _optional_slug(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "slug" in self.fields and not cleaned.get("slug") and not self.has_error("slug"):
            cleaned["slug"] = course_slug_make(
                title=cleaned.get("title_zh") or "", exclude_pk=self.instance.pk
            )
        return cleaned


class LessonSlugForm(forms.ModelForm[Lesson]):
    """A lesson form (the lesson's own page, or a row on its course's page) whose empty
    slug is made from the Chinese title, free in the course."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _optional_slug(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "slug" in self.fields and not cleaned.get("slug") and not self.has_error("slug"):
            course = cleaned.get("course")
            course_id = course.pk if isinstance(course, Course) else self.instance.course_id
            cleaned["slug"] = lesson_slug_make(
                title=cleaned.get("title_zh") or "",
                course_id=course_id,
                exclude_pk=self.instance.pk,
                also_taken=getattr(self, "slugs_taken_in_form", ()),
            )
            # Rows of one course page: the next empty slug must not take this one.
            taken = getattr(self, "slugs_taken_in_form", None)
            if taken is not None:
                taken.add(cleaned["slug"])
        return cleaned


class LessonRowsFormSet(forms.BaseInlineFormSet[Lesson, Course, forms.ModelForm[Lesson]]):
    """The lesson rows of a course page share one set of slugs made in this request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = {form.initial.get("slug") for form in self.forms if form.initial.get("slug")}
        for form in self.forms:
            form.slugs_taken_in_form = taken  # type: ignore[attr-defined]

    @property
    def empty_form(self) -> forms.ModelForm[Lesson]:
        form = super().empty_form
        form.slugs_taken_in_form = set()  # type: ignore[attr-defined]
        return form


@require_GET
def slug_suggest_view(request: HttpRequest) -> JsonResponse:
    """``?title=…&kind=course|lesson[&course=id][&exclude=id]`` → ``{"slug": …}``."""
    if not request.user.has_perm("edu.add_course") and not request.user.has_perm(
        "edu.change_lesson"
    ):
        raise PermissionDenied
    title = request.GET.get("title", "")[:200]

    def number(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    if request.GET.get("kind") == "lesson":
        slug = lesson_slug_make(
            title=title, course_id=number("course"), exclude_pk=number("exclude")
        )
    else:
        slug = course_slug_make(title=title, exclude_pk=number("exclude"))
    return JsonResponse({"slug": slug})


@require_POST
def lesson_preview_view(request: HttpRequest) -> HttpResponse:
    """The posted lesson form's texts, rendered as the lesson page renders them. A panel
    for the page's script (``?panel=1``), else a page of its own."""
    if not request.user.has_perm("edu.view_lesson"):
        raise PermissionDenied
    versions = [
        {
            "language": language,
            "label": label,
            "title": request.POST.get(f"title_{code}", "").strip(),
            "body": markdown_to_safe_html(request.POST.get(f"body_{code}", "")),
        }
        for code, language, label in (
            ("zh", "zh-hans", _("Chinese")),
            ("en", "en", _("English")),
        )
    ]
    template = (
        "admin/edu/lesson/preview_panel.html"
        if request.GET.get("panel")
        else "admin/edu/lesson/preview.html"
    )
    return render(request, template, {"versions": versions})
