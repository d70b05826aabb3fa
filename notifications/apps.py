from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Reminders and notifications")

    def ready(self) -> None:
        from accounts.data_requests import personal_data_source_register

        from .personal_data import SOURCE

        # A person's copy of their data and its erasure (accounts is the lower layer).
        personal_data_source_register(SOURCE)

        from accounts.consents import consent_hook_register
        from accounts.models import Purpose

        from .personal_data import sms_consent_applied, weekly_summary_consent_applied

        consent_hook_register(Purpose.SMS_REMINDERS, sms_consent_applied)
        consent_hook_register(Purpose.WEEKLY_SUMMARY, weekly_summary_consent_applied)
