import unicodedata

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fonts import validate_drawable


class User(AbstractUser):
    """An account. Names take any Unicode, rare characters outside the BMP (𠮷) included.

    Roles are groups (see accounts.roles); there are no role booleans on this model."""

    display_name = models.CharField(
        _("person's name"),
        max_length=100,
        blank=True,
        help_text=_("How we address you and what your certificates show. Any characters."),
        # Refused at input when no installed font draws it: never stored to print as boxes.
        validators=[validate_drawable],
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    elder_mode = models.BooleanField(
        _("elder mode"), default=False, help_text=_("Larger text and higher contrast.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    # Set when the person erased their account (accounts.data_requests.account_erase): the
    # row stays, without anything personal, so the programme's records and figures keep
    # pointing at one anonymous account; nothing can make it a person again.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [
            ("learn", _("Can take courses and quizzes")),
            ("log_field_sessions", _("Can log field education sessions")),
            ("coordinate_campaigns", _("Can plan and manage campaigns")),
            ("review_field_sessions", _("Can review volunteers' session logs")),
            ("view_reach_statistics", _("Can see reach statistics")),
            ("edit_content", _("Can write and publish courses and questions")),
            ("assign_roles", _("Can give and take roles")),
        ]

    def clean(self) -> None:
        super().clean()
        # NFC only: NFKC would fold CJK compatibility ideographs some names are written with.
        self.display_name = unicodedata.normalize("NFC", self.display_name.strip())

    @property
    def shown_name(self) -> str:
        if self.erased_at is not None:
            return str(_("Deleted account"))
        return self.display_name or self.get_full_name() or self.username

    def __str__(self) -> str:
        return self.shown_name


class Purpose(models.TextChoices):
    """What a person agrees to. ``NOTICE`` is the privacy notice itself (needed for an
    account); the others are optional uses, each given and withdrawn on its own."""

    NOTICE = "notice", _("The privacy notice")
    SMS_REMINDERS = "sms_reminders", _("My mobile number for reminders by text message")
    WEEKLY_SUMMARY = "weekly_summary", _("A weekly summary of my learning")
    GPS_ON_LOGS = "gps_on_logs", _("My location (GPS) on the sessions I log")


class Consent(models.Model):
    """One consent: given to a purpose under one version of the notice, until withdrawn.
    A withdrawn row stays as the record of what was agreed when; giving again adds a row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    notice_version = models.CharField(_("notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        constraints = [
            # At most one standing consent per person and purpose.
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_standing_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} {self.notice_version}"
