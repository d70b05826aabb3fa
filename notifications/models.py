"""Reminders: one row per thing to tell someone (its key makes it happen once), one delivery
per channel it went out on, the in-app notifications and the SMS outbox."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    COURSE_NUDGE = "course_nudge", _("Reminder to continue a course")
    CERTIFICATE_READY = "certificate_ready", _("Certificate ready")
    LOG_REJECTED = "log_rejected", _("Session log returned")
    REVIEW_DIGEST = "review_digest", _("Daily review-queue digest")
    WEEKLY_SUMMARY = "weekly_summary", _("Weekly learning summary")
    SESSION_NOT_LOGGED = "session_not_logged", _("Planned session not logged yet")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("On this site")
    SMS = "sms", _("Text message (SMS)")


class Preference(models.Model):
    """What a person wants to receive, and where."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("user"),
    )
    email = models.BooleanField(_("by email"), default=True)
    in_app = models.BooleanField(_("on this site"), default=True)
    sms = models.BooleanField(_("by text message"), default=False)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    weekly_summary = models.BooleanField(_("weekly learning summary"), default=False)
    muted_kinds = models.JSONField(_("reminders turned off"), default=list, blank=True)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return str(self.user)


class Reminder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        SUPPRESSED = "suppressed", _("not sent (turned off)")

    key = models.CharField(_("deduplication key"), max_length=120, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    context = models.JSONField(_("context"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Held by a batch sending it by email outside any transaction; skipped by other senders
    # until then, taken over after (a killed worker).
    sending_until = models.DateTimeField(_("sending until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return self.key


class Delivery(models.Model):
    """A reminder sent on one channel; unique, so no channel carries it twice."""

    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("reminder")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["reminder", "channel"], name="delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.reminder_id} {self.channel}"


class Notification(models.Model):
    """An in-app notification, shown from the site header."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    reminder = models.OneToOneField(
        Reminder,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("reminder"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class SmsOutbox(models.Model):
    """Text messages for a gateway to pick up (no real gateway is reachable here)."""

    reminder = models.OneToOneField(
        Reminder,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sms",
        verbose_name=_("reminder"),
    )
    phone = models.CharField(_("phone number"), max_length=20)
    body = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("text message to send")
        verbose_name_plural = _("text messages to send")

    def __str__(self) -> str:
        return f"{self.phone}: {self.body[:30]}"


class SignInCode(models.Model):
    """A one-time sign-in code sent by SMS (notifications/signin_codes.py). Only a keyed hash
    of the code is kept; the newest code of a user is the only one that can work."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sign_in_codes",
        verbose_name=_("user"),
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
