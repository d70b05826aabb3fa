"""Admin for the core tables, and the mixin that audits staff edits made in any admin."""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple
from weakref import WeakKeyDictionary

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.forms import BaseForm
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .audit import AuditAction
from .models import AuditLog, JobRun
from .services import audit_log_record

# The admin carries the platform's name, not Django's.
admin.site.site_header = _("Anquan admin")
admin.site.site_title = _("Anquan admin")
admin.site.index_title = _("Courses, question bank and operations")

# Strings of Django's own admin (and of django-celery-beat's) that their zh-Hans catalogues leave
# untranslated; named here so that makemessages keeps their translations in ours. The
# JavaScript ones (the two-box selector) are in locale/zh_Hans/LC_MESSAGES/djangojs.po.
DJANGO_CATALOGUE_GAPS = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    # django-celery-beat's admin (its zh-Hans catalogue misses these or marks them fuzzy)
    gettext_noop("Execution Options"),
    gettext_noop("Periodic Tasks Using This Schedule"),
    gettext_noop("Schedule"),
    gettext_noop("Arguments"),
]


BOOLEAN_ALT = {True: _("Yes"), False: _("No"), None: _("Unknown")}


def _boolean_icon(value: bool | None) -> SafeString:
    """Django's yes/no icon, whose alt text a screen reader reads: in the reader's language
    (Django 5.2 writes "True", "False", "None")."""
    icon = {True: "yes", False: "no", None: "unknown"}[value]
    return format_html(
        '<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), BOOLEAN_ALT[value]
    )


# The admin's lists, read-only fields and display functions all fetch it from this module.
admin_list._boolean_icon = _boolean_icon  # type: ignore[attr-defined]


class AdminAuditActions(NamedTuple):
    """What an admin's adds, changes and deletes are recorded as; None where the admin
    offers no such edit (an edit made anyway is refused rather than left unaudited)."""

    created: AuditAction | None = None
    changed: AuditAction | None = None
    deleted: AuditAction | None = None


# The values before a change form was saved, kept from save_model until save_related (when
# many-to-many fields and inlines are saved too). Keyed by form: ModelAdmin instances are
# shared between requests, and one change list request saves several forms.
_before_of_form: WeakKeyDictionary[BaseForm, dict[str, Any]] = WeakKeyDictionary()


def _related_key(obj: models.Model) -> str:
    """A stable, readable name for a related row: its natural key where it has one (a
    group's name, a permission's ``app_label.codename``), else its key. A user is named by
    key, never by user name: a user name can be a person's name, and the audit log outlives
    an erased account (docs/privacy.md)."""
    if obj._meta.label == settings.AUTH_USER_MODEL:
        return str(obj.pk)
    if hasattr(obj, "natural_key"):
        key = obj.natural_key()
        if obj._meta.label == "auth.Permission":
            return f"{key[1]}.{key[0]}"
        return ".".join(str(part) for part in key)
    return str(obj.pk)


class AuditedAdminMixin:
    """Every add, change and delete made through this admin writes one audit row with the
    values before and after of the fields that changed, in the admin's own transaction.

    ``audit_fields`` names the fields to watch (all concrete and many-to-many fields if
    None); ``audit_secret_fields`` are watched too but their values never recorded: their
    names go into ``data["secrets_changed"]``; ``audit_personal_fields`` likewise, into
    ``data["personal_changed"]``: what identifies a person (a name, a reference, a GPS
    point, free text) stays in its own row, under its own retention and erasure, and the
    audit log, kept longer, says only that it changed. A save that changes nothing writes
    nothing."""

    audit_actions: ClassVar[AdminAuditActions]
    audit_fields: ClassVar[list[str] | None] = None
    audit_secret_fields: ClassVar[list[str]] = []
    audit_personal_fields: ClassVar[list[str]] = []

    # The admin's model (ModelAdmin[T] declares it as type[T]; Any keeps the mixin generic).
    model: Any

    def _audit_field_names(self) -> list[str]:
        if self.audit_fields is not None:
            names = list(self.audit_fields)
        else:
            # Every stored field but the key and the save timestamps (they change each save).
            opts = self.model._meta
            fields = [*opts.concrete_fields, *opts.many_to_many]
            names = [
                f.name for f in fields if not f.primary_key and not getattr(f, "auto_now", False)
            ]
        return [*names, *(n for n in self.audit_secret_fields if n not in names)]

    def _audit_snapshot(self, pk: Any) -> dict[str, Any]:
        """The watched values as stored now (read again, so a value compares as the
        database holds it, not as the form typed it)."""
        obj = self.model._default_manager.get(pk=pk)
        values: dict[str, Any] = {}
        for name in self._audit_field_names():
            field = obj._meta.get_field(name)
            if field.many_to_many:
                values[name] = sorted(_related_key(related) for related in getattr(obj, name).all())
                continue
            value = field.value_from_object(obj)
            values[name] = value.name if isinstance(value, FieldFile) else value
        return values

    def _audit_record(
        self,
        request: HttpRequest,
        obj: models.Model,
        action: AuditAction | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        names = set(before or {}) | set(after or {})
        changed = [n for n in names if (before or {}).get(n) != (after or {}).get(n)]
        if before is not None and after is not None and not changed:
            return
        if action is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.audit_actions has no action for this edit"
            )
        secrets = sorted(n for n in changed if n in self.audit_secret_fields)
        personal = sorted(n for n in changed if n in self.audit_personal_fields)
        data: dict[str, Any] = {"via": "admin"}
        if secrets:
            data["secrets_changed"] = secrets
        if personal:
            data["personal_changed"] = personal
        hidden = {*secrets, *personal}

        def shown(values: dict[str, Any] | None) -> dict[str, Any] | None:
            if values is None:
                return None
            return {n: values[n] for n in sorted(changed) if n not in hidden}

        audit_log_record(
            actor=request.user,
            action=action,
            target=obj,
            data=data,
            before=shown(before),
            after=shown(after),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            _before_of_form[form] = self._audit_snapshot(obj.pk)
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        before = _before_of_form.pop(form, None) if change else None
        action = self.audit_actions.changed if change else self.audit_actions.created
        after = self._audit_snapshot(form.instance.pk)
        self._audit_record(request, form.instance, action, before, after)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = self._audit_snapshot(obj.pk)
        self._audit_record(request, obj, self.audit_actions.deleted, before, None)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The bulk "delete selected" action is not wrapped in a transaction by the admin.
        with transaction.atomic(using=queryset.db):
            for obj in queryset:
                before = self._audit_snapshot(obj.pk)
                self._audit_record(request, obj, self.audit_actions.deleted, before, None)
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """For tables written only by code (commands, services): browse, never edit by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class AuditActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(AuditAction.choices)

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Append-only, for everyone."""

    list_display = ["created_at", "action_label", "actor", "target_type", "target_id"]
    list_filter = [AuditActionFilter, "target_type"]
    search_fields = ["target_id", "action"]
    date_hierarchy = "created_at"

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, entry: AuditLog) -> str:
        try:
            return str(AuditAction(entry.action).label)
        except ValueError:  # an action no longer in the enumeration: shown as stored
            return entry.action


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """Staff see when each job ran, how long it took, what it changed and how it failed."""

    list_display = ["job", "started_at", "duration_ms", "rows_changed", "outcome"]
    list_filter = ["job", "outcome"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in JobRun._meta.fields]
