"""The sign-in libraries' own admins, audited like ours: deleting a lockout record lets a
guesser try again, and adding, changing or deleting a staff member's TOTP device changes
who can reach the admin. The libraries register plain admins; these replace them with the
same admins behind core's AuditedAdminMixin (secrets by name only)."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.apps import apps
from django.contrib import admin
from django.db.models import Field
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin import AdminAuditActions, AuditedAdminMixin
from core.audit import AuditAction

# django-axes marks its labels for translation but ships no Chinese: ours has them.
AXES_LABELS = [
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
]

# django-otp's labels are plain English strings. Shown in Chinese by setting the labels the
# admin reads (verbose names: not part of the migrations' state, so no migration follows)
# and, for help texts (which are), in the admin's form only.
TOTP_FIELD_LABELS = {
    "user": _("user"),
    "name": _("device name"),
    "confirmed": _("confirmed"),
    "throttling_failure_timestamp": _("last failed code at"),
    "throttling_failure_count": _("failed codes in a row"),
    "created_at": _("created at"),
    "last_used_at": _("last used at"),
    "key": _("secret key"),
    "step": _("time step (seconds)"),
    "t0": _("start time (Unix)"),
    "digits": _("digits"),
    "tolerance": _("tolerance (steps)"),
    "drift": _("clock drift (steps)"),
    "last_t": _("last time step used"),
}
TOTP_HELP = {
    "user": _("The staff member whose authenticator app this is."),
    "name": _("A name to tell this device from others, such as the phone's."),
    "confirmed": _("Only a confirmed device can be used to sign in."),
    "key": _("The shared secret, hex-encoded (up to 40 bytes). Never share it."),
    "step": _("How long each code is valid, in seconds."),
    "t0": _("When counting time steps begins, in Unix time."),
    "digits": _("How many digits each code has."),
    "tolerance": _("How many time steps before or after the current one are accepted."),
    "drift": _("How far the phone's clock is known to be off, in time steps."),
    "last_t": _("The time step of the last accepted code: the next must be later."),
    "throttling_failure_timestamp": _("When the last wrong code was given."),
    "throttling_failure_count": _("Wrong codes given one after the other."),
    "created_at": _("When the device was added."),
    "last_used_at": _("When a code from it was last accepted."),
}


def labels_translate() -> None:
    """Chinese names for the sign-in libraries' apps and models in the admin."""
    apps.get_app_config("axes").verbose_name = _("Sign-in lockouts")
    apps.get_app_config("otp_totp").verbose_name = _("Second factor")
    TOTPDevice._meta.verbose_name = _("authenticator app")
    TOTPDevice._meta.verbose_name_plural = _("authenticator apps")
    for name, label in TOTP_FIELD_LABELS.items():
        TOTPDevice._meta.get_field(name).verbose_name = label


class AuditedAccessAttemptAdmin(AuditedAdminMixin, AccessAttemptAdmin):
    audit_actions = AdminAuditActions(deleted=AuditAction.LOCKOUT_CLEARED)
    audit_fields = ["username", "ip_address", "failures_since_start"]
    # The user name stays (whose lockout was cleared; replaced if that account is erased).
    audit_personal_fields = ["ip_address"]


class AuditedTOTPDeviceAdmin(AuditedAdminMixin, TOTPDeviceAdmin):
    audit_actions = AdminAuditActions(
        created=AuditAction.SECOND_FACTOR_ENROLLED,
        changed=AuditAction.SECOND_FACTOR_CHANGED,
        deleted=AuditAction.SECOND_FACTOR_DELETED,
    )
    audit_fields = ["user", "name", "confirmed"]
    audit_secret_fields = ["key"]
    search_help_text = _("Search by user name or e-mail address.")
    # The library's timestamps, shown with our help texts (its own are English).
    readonly_fields = ["created", "last_used", "qrcode_link"]

    @admin.display(description=_("created at"))
    def created(self, device: TOTPDevice) -> Any:
        return device.created_at or "-"

    @admin.display(description=_("last used at"))
    def last_used(self, device: TOTPDevice) -> Any:
        return device.last_used_at or "-"

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        titles = {
            "Identity": _("Device"),
            "Timestamps": _("Dates"),
            "Configuration": _("Settings"),
            "State": _("State"),
            "Throttling": _("Wrong codes"),
        }
        renamed = {"created_at": "created", "last_used_at": "last_used"}
        return [
            (
                titles.get(str(title), title),
                {**options, "fields": [renamed.get(f, f) for f in options["fields"]]},
            )
            for title, options in super().get_fieldsets(request, obj)
        ]

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field: forms.Field | None = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in TOTP_HELP:
            field.help_text = TOTP_HELP[db_field.name]
        return field


def register(site: Any = admin.site) -> None:
    labels_translate()
    for model, model_admin in (
        (AccessAttempt, AuditedAccessAttemptAdmin),
        (TOTPDevice, AuditedTOTPDeviceAdmin),
    ):
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)


register()
