"""Editors author courses here: Chinese and English side by side on one form, modules and
lessons ordered by position, "View on site" previews a draft as learners will see it,
actions publish a new version, export packages; a page imports one.

A published course is read-only here: learners see it. "Edit a draft version" makes its
working copy (see edu.models), edited with the same forms; the copy's page links to its
preview and to "Publish the changes" and "Discard the changes", each confirmed on a page of
its own. The course list shows live courses only, with a column for pending changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignKey, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from quizzes.selectors import audience_choices, scam_type_choices

from . import (
    admin_certificates,  # noqa: F401  (registers the certificates admin)
    selectors,
    services,
)
from .admin_authoring import (
    AUTHORING_JS,
    CourseSlugForm,
    LessonRowsFormSet,
    LessonSlugForm,
    lesson_preview_view,
    slug_suggest_view,
)
from .images import lesson_image_renditions_make
from .models import Course, Lesson, LessonImage, Module
from .packages import PackageError, course_package_export, course_package_import, read_zip

BOTH_LANGUAGES = _("Chinese first, English beside it; an empty English text shows the Chinese.")
TRADITIONAL = _(
    "Readers of Traditional Chinese see the Chinese text converted automatically. Write a "
    "Traditional version here only where the conversion reads wrong; it then wins."
)


def _course_is_live(obj: Course | Lesson | None) -> bool:
    """Learners see it: editors change it through a working copy, never in place."""
    course = obj.course if isinstance(obj, Lesson) else obj
    return course is not None and course.is_live


class LiveContentReadOnly:
    """For inlines: nothing of a live course is added, changed or deleted in place."""

    # super() is the InlineModelAdmin this class is mixed into, which mypy cannot see [misc].
    def has_add_permission(self, request: HttpRequest, obj: Course | Lesson | None = None) -> bool:
        return not _course_is_live(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(
        self, request: HttpRequest, obj: Course | Lesson | None = None
    ) -> bool:
        return not _course_is_live(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(
        self, request: HttpRequest, obj: Course | Lesson | None = None
    ) -> bool:
        return not _course_is_live(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class ModuleInline(LiveContentReadOnly, admin.TabularInline[Module, Course]):
    model = Module
    fields = ["position", "title_zh", "title_en", "title_zh_hant"]
    extra = 0


class LessonInline(LiveContentReadOnly, admin.TabularInline[Lesson, Course]):
    model = Lesson
    form = LessonSlugForm
    formset = LessonRowsFormSet
    fields = ["module", "position", "slug", "title_zh", "title_en", "minutes", "retired"]
    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        match = request.resolver_match  # set for every admin page
        if db_field.name == "module" and match is not None and match.kwargs.get("object_id"):
            kwargs["queryset"] = Module.objects.filter(course_id=match.kwargs["object_id"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _codes_field(
    choices: Callable[[], list[tuple[str, str]]], label: str | StrPromise
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, widget=forms.CheckboxSelectMultiple, required=False, label=label
    )


class CourseForm(CourseSlugForm):
    """Tick boxes for the code lists instead of raw JSON."""

    audiences = _codes_field(audience_choices, _("audiences"))
    scam_types = _codes_field(scam_type_choices, _("scam types"))

    class Meta:
        model = Course
        fields = [
            "slug", "topic", "audiences", "scam_types", "position",
            "title_zh", "title_en", "summary_zh", "summary_en", "title_zh_hant", "summary_zh_hant",
        ]  # fmt: skip


class LessonForm(LessonSlugForm):
    check_scam_types = _codes_field(scam_type_choices, _("knowledge check: scam types"))
    video_url = forms.URLField(label=_("video link"), required=False, assume_scheme="https")

    class Meta:
        model = Lesson
        fields = [
            "course", "module", "position", "slug", "minutes", "retired",
            "title_zh", "title_en", "body_zh", "body_en", "video_url", "audio",
            "check_scam_types", "check_question_count", "title_zh_hant", "body_zh_hant",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Published courses change through their draft version, so they are not offered.
        editable = Course.objects.exclude(status=Course.Status.PUBLISHED, draft_of__isnull=True)
        # The form fields of foreign keys are ModelChoiceFields.
        if "course" in self.fields:
            cast(forms.ModelChoiceField[Course], self.fields["course"]).queryset = editable
        if "module" in self.fields:
            cast(
                forms.ModelChoiceField[Module], self.fields["module"]
            ).queryset = Module.objects.filter(course__in=editable).select_related("course")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        course, module = cleaned.get("course"), cleaned.get("module")
        if course and module and module.course_id != course.pk:
            self.add_error("module", gettext("This module belongs to another course."))
        return cleaned


class ImportForm(forms.Form):
    archive = forms.FileField(label=_("Course package (.zip)"))
    publish = forms.BooleanField(label=_("Publish after import"), required=False)


class LiveCourseChangeList(ChangeList):
    """Working copies are reached from their course, not listed beside it."""

    def get_queryset(
        self, request: HttpRequest, exclude_parameters: list[str | None] | None = None
    ) -> QuerySet[Course]:
        return super().get_queryset(request, exclude_parameters).filter(draft_of__isnull=True)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    form = CourseForm
    list_display = [
        "title_zh", "title_en", "topic", "status", "version", "pending_changes", "position",
    ]  # fmt: skip
    list_select_related = ["working_copy"]
    list_editable = ["position"]
    list_filter = ["status", "topic"]
    search_fields = ["title_zh", "title_en", "slug"]
    readonly_fields = ["status", "version", "published_at"]
    fieldsets = [
        (None, {"fields": ["slug", "topic", "audiences", "scam_types", "position"]}),
        (
            _("Title and summary"),
            {
                "fields": [("title_zh", "title_en"), ("summary_zh", "summary_en")],
                "description": BOTH_LANGUAGES,
            },
        ),
        (
            _("Traditional Chinese (optional)"),
            {
                "fields": ["title_zh_hant", "summary_zh_hant"],
                "description": TRADITIONAL,
                "classes": ["collapse"],
            },
        ),
        (_("Publishing"), {"fields": ["status", "version", "published_at"]}),
    ]
    inlines = [ModuleInline, LessonInline]
    actions = ["publish", "unpublish", "export_packages"]
    change_list_template = "admin/edu/course/change_list.html"
    change_form_template = "admin/edu/course/change_form.html"

    class Media:
        js = [AUTHORING_JS]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return LiveCourseChangeList

    @admin.display(boolean=True, description=_("unpublished changes"))
    def pending_changes(self, obj: Course) -> bool:
        return hasattr(obj, "working_copy")

    def view_on_site(self, obj: Course) -> str:
        if obj.is_live:
            return reverse("edu:course", args=[obj.slug])
        return reverse("edu:course-preview", args=[_live_slug(obj)])

    def has_change_permission(self, request: HttpRequest, obj: Course | None = None) -> bool:
        return not _course_is_live(obj) and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Course | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_working_copy:
            fields.append("slug")  # the live course's address does not change
        return fields

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if obj is not None:
            context["live_course"] = obj.draft_of if obj.is_working_copy else obj
            context["working_copy"] = (
                obj if obj.is_working_copy else getattr(obj, "working_copy", None)
            )
            context["preview_url"] = reverse("edu:course-preview", args=[_live_slug(obj)])
        return super().change_view(request, object_id, form_url, context)

    def save_model(self, request: HttpRequest, obj: Course, form: Any, change: bool) -> None:
        obj.package_digest = ""  # edited by hand: the next import of a package applies again
        super().save_model(request, obj, form, change)

    @admin.action(
        description=_("Publish a new version of the selected courses"), permissions=["change"]
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        for course in queryset:
            services.course_publish(course=course, by=request.user)
        self.message_user(
            request,
            gettext(
                "Published, with any unpublished changes they had. Learners keep their progress."
            ),
        )

    @admin.action(description=_("Return the selected courses to draft"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        for course in queryset:
            services.course_unpublish(course=course, by=request.user)
        self.message_user(request, gettext("Back to draft."))

    @admin.action(description=_("Export the selected course as a package"), permissions=["view"])
    def export_packages(
        self, request: HttpRequest, queryset: QuerySet[Course]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select exactly one course to export."), messages.WARNING
            )
            return None
        course = queryset.get()
        response = HttpResponse(
            course_package_export(course=course), content_type="application/zip"
        )
        response["Content-Disposition"] = f'attachment; filename="{course.slug}.zip"'
        return response

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="edu_course_import",
            ),
            path(
                "slug/",
                self.admin_site.admin_view(slug_suggest_view),
                name="edu_course_slug",
            ),
            *(
                path(
                    f"<int:pk>/{step}/",
                    self.admin_site.admin_view(self.draft_step_view),
                    {"step": step},
                    name=f"edu_course_{step.replace('-', '_')}",
                )
                for step in DRAFT_STEPS
            ),
            *super().get_urls(),
        ]

    def draft_step_view(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        """Start, publish or discard the draft version of a published course: a page that
        says what will happen (for publishing: which lessons are added, removed, changed),
        and a button that does it."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        course = get_object_or_404(Course.objects.select_related("draft_of"), pk=pk)
        live = course.draft_of or course
        copy = course if course.is_working_copy else Course.objects.filter(draft_of=live).first()
        if step == "edit-draft" and not live.is_live:
            return redirect("admin:edu_course_change", live.pk)
        if step != "edit-draft" and copy is None:
            self.message_user(request, gettext("There are no unpublished changes."))
            return redirect("admin:edu_course_change", live.pk)
        if request.method == "POST":
            return self._draft_step_do(request, step, live)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": DRAFT_STEPS[step],
            "step": step,
            "live": live,
            "copy": copy,
            "changes": selectors.course_pending_changes(copy=copy)
            if step == "publish-changes" and copy is not None
            else None,
            "preview_url": reverse("edu:course-preview", args=[live.slug]),
        }
        return render(request, "admin/edu/course/draft_step.html", context)

    def _draft_step_do(self, request: HttpRequest, step: str, live: Course) -> HttpResponse:
        if step == "edit-draft":
            copy = services.course_draft_start(course=live, by=request.user)
            self.message_user(
                request,
                gettext(
                    "This is the draft version. Learners see the published course until you "
                    "publish these changes."
                ),
            )
            return redirect("admin:edu_course_change", copy.pk)
        if step == "publish-changes":
            live = services.course_publish(course=live, by=request.user)
            self.message_user(
                request,
                gettext("Published version %(version)s. Learners keep their progress.")
                % {"version": live.version},
            )
        elif step == "discard-changes":
            services.course_draft_discard(course=live, by=request.user)
            self.message_user(request, gettext("The unpublished changes were discarded."))
        else:  # pragma: no cover - the URL patterns allow only DRAFT_STEPS
            raise Http404
        return redirect("admin:edu_course_change", live.pk)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        # A package writes questions too (format version 2): the bank's permissions as well.
        if (
            not self.has_add_permission(request)
            or not self.has_change_permission(request)
            or not request.user.has_perms(["quizzes.add_question", "quizzes.change_question"])
        ):
            return redirect("admin:edu_course_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["archive"]
            try:
                if upload.size > settings.EDU_PACKAGE_MAX_BYTES:
                    raise PackageError(gettext("The archive is too large."))
                result = course_package_import(
                    files=read_zip(upload.read()),
                    by=request.user,
                    publish=form.cleaned_data["publish"],
                )
            except PackageError as error:
                form.add_error("archive", str(error))
            else:
                if result.changed:
                    self.message_user(
                        request,
                        gettext("Imported “%(title)s”.") % {"title": result.course.title_zh},
                    )
                    if result.questions_created or result.questions_updated:
                        self.message_user(
                            request,
                            gettext("Questions: %(created)s created, %(updated)s updated")
                            % {
                                "created": result.questions_created,
                                "updated": result.questions_updated,
                            },
                        )
                else:
                    self.message_user(
                        request,
                        gettext("“%(title)s” is already up to date.")
                        % {"title": result.course.title_zh},
                    )
                return redirect("admin:edu_course_change", result.course.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": gettext("Import a course package"),
            "opts": self.model._meta,
        }
        return render(request, "admin/edu/course/import.html", context)


DRAFT_STEPS = {
    "edit-draft": _("Edit a draft version"),
    "publish-changes": _("Publish the changes"),
    "discard-changes": _("Discard the changes"),
}


def _live_slug(course: Course) -> str:
    """The address learners know: a working copy is previewed under its course's slug."""
    return course.draft_of.slug if course.draft_of is not None else course.slug


class LessonImageInline(LiveContentReadOnly, admin.TabularInline[LessonImage, Lesson]):
    model = LessonImage
    fields = ["position", "image", "alt_zh", "alt_en", "alt_zh_hant"]
    extra = 0


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin[Lesson]):
    form = LessonForm
    list_display = ["title_zh", "course", "module", "position", "minutes", "retired"]
    list_filter = ["course", "retired"]
    # No list_editable: it would change lessons of published courses in place. Lessons are
    # ordered on their course's page (or its draft version's).
    search_fields = ["title_zh", "title_en", "slug"]
    fieldsets = [
        (None, {"fields": ["course", "module", "position", "slug", "minutes", "retired"]}),
        (
            _("Text"),
            {
                "fields": [("title_zh", "title_en"), ("body_zh", "body_en")],
                "description": BOTH_LANGUAGES,
            },
        ),
        (
            _("Traditional Chinese (optional)"),
            {
                "fields": ["title_zh_hant", "body_zh_hant"],
                "description": TRADITIONAL,
                "classes": ["collapse"],
            },
        ),
        (_("Media"), {"fields": ["video_url", "audio"]}),
        (_("Knowledge check"), {"fields": ["check_scam_types", "check_question_count"]}),
    ]
    inlines = [LessonImageInline]
    change_form_template = "admin/edu/lesson/change_form.html"

    class Media:
        js = [AUTHORING_JS]
        css = {"all": ["css/admin-authoring.css"]}

    def get_urls(self) -> list[URLPattern]:
        preview = self.admin_site.admin_view(lesson_preview_view)
        return [path("preview/", preview, name="edu_lesson_preview"), *super().get_urls()]

    def view_on_site(self, obj: Lesson) -> str:
        if obj.course.is_live:
            return reverse("edu:lesson", args=[obj.course.slug, obj.slug])
        return reverse("edu:lesson-preview", args=[_live_slug(obj.course), obj.slug])

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lesson]:
        return super().get_queryset(request).select_related("course__draft_of", "module")

    def has_change_permission(self, request: HttpRequest, obj: Lesson | None = None) -> bool:
        return not _course_is_live(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Lesson | None = None) -> bool:
        return not _course_is_live(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Lesson, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        Course.objects.filter(pk=obj.course_id).update(package_digest="")

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for image in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
            if isinstance(image, LessonImage):
                lesson_image_renditions_make(image=image)
