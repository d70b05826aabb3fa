from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import AdminAuditActions, AuditedAdminMixin
from core.audit import AuditAction

from .models import User


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
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
        *BaseUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ["display_name", "language", "elder_mode", "time_zone"]}),
    ]
