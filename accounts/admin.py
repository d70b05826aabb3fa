from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.services import audit_log_record

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "display_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ["display_name", "language", "elder_mode", "time_zone"]}),
    ]

    def save_related(
        self, request: HttpRequest, form: ModelForm[User], formsets: Any, change: bool
    ) -> None:
        # Role (group) changes made here are audited like those made by accounts.services.
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        for name in sorted(after - before):
            audit_log_record(
                actor=request.user,
                action="role.assigned",
                target=form.instance,
                data={"role": name, "via": "admin"},
            )
        for name in sorted(before - after):
            audit_log_record(
                actor=request.user,
                action="role.revoked",
                target=form.instance,
                data={"role": name, "via": "admin"},
            )
