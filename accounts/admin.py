from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core.admin import AdminAuditActions, AuditedAdminMixin
from core.audit import AuditAction

from .models import User


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin[User]):
    # Roles are groups; with permissions and the staff and superuser flags they decide what
    # an account may do, so each change of them here is audited with before and after.
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
    list_display = ["username", "display_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ["display_name", "language", "elder_mode", "time_zone"]}),
    ]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # The password page saves the user without save_model: audited here, by name only.
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            if request.method != "POST" or user is None:
                return super().user_change_password(request, id, form_url)
            before = self._audit_snapshot(user.pk)
            response = super().user_change_password(request, id, form_url)
            after = self._audit_snapshot(user.pk)
            self._audit_record(request, user, AuditAction.USER_CHANGED, before, after)
            return response
