"""The sign-in libraries' own admins, audited like ours: deleting a lockout record lets a
guesser try again, and adding, changing or deleting a staff member's TOTP device changes
who can reach the admin. The libraries register plain admins; these replace them with the
same admins behind core's AuditedAdminMixin (secrets by name only)."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin import AdminAuditActions, AuditedAdminMixin
from core.audit import AuditAction


class AuditedAccessAttemptAdmin(AuditedAdminMixin, AccessAttemptAdmin):
    audit_actions = AdminAuditActions(deleted=AuditAction.LOCKOUT_CLEARED)
    audit_fields = ["username", "ip_address", "failures_since_start"]


class AuditedTOTPDeviceAdmin(AuditedAdminMixin, TOTPDeviceAdmin):
    audit_actions = AdminAuditActions(
        created=AuditAction.SECOND_FACTOR_ENROLLED,
        changed=AuditAction.SECOND_FACTOR_CHANGED,
        deleted=AuditAction.SECOND_FACTOR_DELETED,
    )
    audit_fields = ["user", "name", "confirmed"]
    audit_secret_fields = ["key"]


def register(site: Any = admin.site) -> None:
    for model, model_admin in (
        (AccessAttempt, AuditedAccessAttemptAdmin),
        (TOTPDevice, AuditedTOTPDeviceAdmin),
    ):
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)


register()
