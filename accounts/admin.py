from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ManyToManyField, QuerySet
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core.admin import AdminAuditActions, AuditedAdminMixin
from core.audit import AuditAction

from . import admin_security  # noqa: F401 - replaces the sign-in libraries' admins
from .admin_groups import translated_choice_field
from .forms import UserAdminForm
from .models import Consent, User
from .roles import ROLE_ORDER, Role, role_rank
from .services import (
    user_change_allowed,
    user_password_set_allowed,
    user_role_assign,
    user_role_revoke,
    user_roles,
)

# What decides an account's powers directly, past the roles: only superusers see and set it.
SUPERUSER_ONLY_FIELDS = {"is_staff", "is_superuser", "groups", "user_permissions"}

ROLES_HELP = _(
    "Roles decide what a person may do: take courses, log field sessions, coordinate "
    "campaigns, edit content, work as staff. Content editors and staff also open this admin. "
    "Every role granted or taken away is recorded in the audit log."
)


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(str(role), role.label) for role in ROLE_ORDER]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() in Role.values:
            return queryset.filter(groups__name=self.value())
        return queryset


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin[User]):
    # Roles are granted and revoked through accounts.services, which audits each one
    # (role.granted / role.revoked, with the roles before and after) and derives the staff
    # flag. The other changes of the form, flags, groups that are not roles and permissions
    # among them, are audited by the mixin: the roles change after its record is written.
    audit_actions = AdminAuditActions(
        created=AuditAction.USER_CREATED,
        changed=AuditAction.USER_CHANGED,
        deleted=AuditAction.USER_DELETED,
    )
    audit_fields = [
        "username",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
    ]
    audit_secret_fields = ["password"]
    form = UserAdminForm
    list_display = ["username", "display_name", "role_list", "is_active", "is_staff", "date_joined"]
    list_filter = [RoleFilter, "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ["display_name", "language", "elder_mode", "time_zone"]}),
    ]

    @admin.display(description=_("Roles"))
    def roles(self, obj: User) -> str:
        # Shown where the form's roles field cannot be: on a user the viewer may not change.
        return ", ".join(str(role.label) for role in user_roles(obj)) or "-"

    @admin.display(description=_("Roles"))
    def role_list(self, obj: User) -> str:
        # From the groups prefetched for the page (get_queryset): no query per row.
        held = sorted(
            (Role(group.name) for group in obj.groups.all() if group.name in Role.values),
            key=role_rank,
        )
        return "、".join(str(role.label) for role in held) or "-"

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        return super().formfield_for_manytomany(
            db_field, request, **translated_choice_field(db_field, kwargs)
        )

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        hidden = set() if request.user.is_superuser else set(SUPERUSER_ONLY_FIELDS)
        if not user_password_set_allowed(by=request.user, user=obj):
            hidden.add("password")  # and with it the link to the password page
        shown = []
        for name, options in fieldsets:
            fields = [field for field in options["fields"] if field not in hidden]
            shown.append((name, {**options, "fields": fields}))
        # The roles come right after the account's name: the way to give and take them.
        shown.insert(1, (_("Roles"), {"fields": ["roles"], "description": ROLES_HELP}))
        return shown

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form
        return type(form.__name__, (form,), {"actor": request.user})

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or user_change_allowed(by=request.user, user=obj))

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or user_change_allowed(by=request.user, user=obj))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        for role in getattr(form, "roles_added", []):
            user_role_assign(user=form.instance, role=role, by=request.user)
        for role in getattr(form, "roles_removed", []):
            user_role_revoke(user=form.instance, role=role, by=request.user)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # The password page saves the user without save_model: audited here, by name only.
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            if user is not None and not user_password_set_allowed(by=request.user, user=user):
                raise PermissionDenied
            if request.method != "POST" or user is None:
                return super().user_change_password(request, id, form_url)
            before = self._audit_snapshot(user.pk)
            response = super().user_change_password(request, id, form_url)
            after = self._audit_snapshot(user.pk)
            self._audit_record(request, user, AuditAction.USER_CHANGED, before, after)
            return response


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    """Consents as given (docs/privacy.md), for answering a person or a regulator: read only,
    since a consent is the person's act, never staff's."""

    list_display = ["user", "purpose", "notice_version", "given_at", "withdrawn_at"]
    list_filter = ["purpose", "notice_version"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "purpose", "notice_version", "given_at", "withdrawn_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Consent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Consent | None = None) -> bool:
        return False
