"""Editors author courses here: Chinese and English side by side on one form, modules and
lessons ordered by position, "View on site" previews a draft as learners will see it,
actions publish a new version, export packages; a page imports one."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from quizzes.selectors import audience_choices, scam_type_choices

from . import services
from .images import lesson_image_renditions_make
from .models import Certificate, Course, Lesson, LessonImage, Module
from .packages import PackageError, course_package_export, course_package_import, read_zip

BOTH_LANGUAGES = _("Chinese first, English beside it; an empty English text shows the Chinese.")


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ["position", "title_zh", "title_en"]
    extra = 0


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ["module", "position", "slug", "title_zh", "title_en", "minutes", "retired"]
    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "module" and request.resolver_match.kwargs.get("object_id"):
            kwargs["queryset"] = Module.objects.filter(
                course_id=request.resolver_match.kwargs["object_id"]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _codes_field(
    choices: Callable[[], list[tuple[str, str]]], label: str
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, widget=forms.CheckboxSelectMultiple, required=False, label=label
    )


class CourseForm(forms.ModelForm):
    """Tick boxes for the code lists instead of raw JSON."""

    audiences = _codes_field(audience_choices, _("audiences"))
    scam_types = _codes_field(scam_type_choices, _("scam types"))

    class Meta:
        model = Course
        fields = [
            "slug", "topic", "audiences", "scam_types", "position",
            "title_zh", "title_en", "summary_zh", "summary_en",
        ]  # fmt: skip


class LessonForm(forms.ModelForm):
    check_scam_types = _codes_field(scam_type_choices, _("knowledge check: scam types"))
    video_url = forms.URLField(label=_("video link"), required=False, assume_scheme="https")

    class Meta:
        model = Lesson
        fields = [
            "course", "module", "position", "slug", "minutes", "retired",
            "title_zh", "title_en", "body_zh", "body_en", "video_url", "audio",
            "check_scam_types", "check_question_count",
        ]  # fmt: skip


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("reason for revoking"), max_length=300)


class ImportForm(forms.Form):
    archive = forms.FileField(label=_("Course package (.zip)"))
    publish = forms.BooleanField(label=_("Publish after import"), required=False)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    form = CourseForm
    list_display = ["title_zh", "title_en", "topic", "status", "version", "position"]
    list_editable = ["position"]
    list_filter = ["status", "topic"]
    search_fields = ["title_zh", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
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
        (_("Publishing"), {"fields": ["status", "version", "published_at"]}),
    ]
    inlines = [ModuleInline, LessonInline]
    actions = ["publish", "unpublish", "export_packages"]
    change_list_template = "admin/edu/course/change_list.html"

    def view_on_site(self, obj: Course) -> str:
        return reverse("edu:course", args=[obj.slug])

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.package_digest = ""  # edited by hand: the next import of a package applies again
        super().save_model(request, obj, form, change)

    @admin.action(
        description=_("Publish a new version of the selected courses"), permissions=["change"]
    )
    def publish(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        for course in queryset:
            services.course_publish(course=course, by=request.user)
        self.message_user(request, gettext("Published. Learners keep their progress."))

    @admin.action(description=_("Return the selected courses to draft"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        for course in queryset:
            services.course_unpublish(course=course, by=request.user)
        self.message_user(request, gettext("Back to draft."))

    @admin.action(description=_("Export the selected course as a package"), permissions=["view"])
    def export_packages(self, request: HttpRequest, queryset) -> HttpResponse | None:  # type: ignore[no-untyped-def]
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

    def get_urls(self):  # type: ignore[no-untyped-def]
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="edu_course_import",
            ),
            *super().get_urls(),
        ]

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


class LessonImageInline(admin.TabularInline):
    model = LessonImage
    fields = ["position", "image", "alt_zh", "alt_en"]
    extra = 0


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonForm
    list_display = ["title_zh", "course", "module", "position", "minutes", "retired"]
    list_filter = ["course", "retired"]
    list_editable = ["position"]
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
        (_("Media"), {"fields": ["video_url", "audio"]}),
        (_("Knowledge check"), {"fields": ["check_scam_types", "check_question_count"]}),
    ]
    inlines = [LessonImageInline]

    def view_on_site(self, obj: Lesson) -> str:
        return reverse("edu:lesson", args=[obj.course.slug, obj.slug])

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        Course.objects.filter(pk=obj.course_id).update(package_digest="")

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        super().save_formset(request, form, formset, change)
        for image in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
            if isinstance(image, LessonImage):
                lesson_image_renditions_make(image=image)


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["serial", "learner_name", "course", "issued_at", "revoked_at"]
    list_filter = ["course", "revoked_at"]
    search_fields = ["serial", "learner_name", "user__username"]
    actions = ["revoke"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("edu.revoke_certificate")

    @admin.action(description=_("Revoke the selected certificates"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset) -> HttpResponse | None:  # type: ignore[no-untyped-def]
        """Asks for the reason first; the reason goes into the audit log."""
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for certificate in queryset:
                services.certificate_revoke(
                    certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
                )
            self.message_user(request, gettext("Revoked. The verification page now says so."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Revoke certificates"),
            "opts": self.model._meta,
            "form": form,
            "certificates": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/edu/certificate/revoke.html", context)
