"""What notifications hold about a person (accounts.data_requests): reminder choices and
the mobile number, reminders, in-app notifications, texts and sign-in codes. Everything is
erased with the account (no figure counts reminders).

The optional uses of the privacy page that notifications carries out (the number for
reminders by text, the weekly summary) are kept in step with the consents both ways: the
reminders page records the consent (``preference_update``), and a consent changed on the
privacy page reaches the preference through the hooks below."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.data_requests import PersonalDataSource
from accounts.models import User

from .models import Kind, Notification, Preference, Reminder, SignInCode, SmsOutbox


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def notifications_export(user: User) -> dict[str, Any]:
    preference = Preference.objects.filter(user=user).first()
    return {
        "choices": None
        if preference is None
        else {
            "by_email": preference.email,
            "on_this_site": preference.in_app,
            "by_text_message": preference.sms,
            "mobile_number": preference.phone,
            "weekly_summary": preference.weekly_summary,
            "turned_off": preference.muted_kinds,
        },
        "reminders": [
            {
                "kind": r.kind,
                "status": r.status,
                "due_at": _iso(r.due_at),
                "sent_at": _iso(r.sent_at),
            }
            for r in Reminder.objects.filter(user=user).order_by("due_at")
        ],
        "notifications": [
            {
                "title": n.title,
                "text": n.body,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in Notification.objects.filter(user=user).order_by("created_at")
        ],
    }


def notifications_erase(user: User) -> dict[str, int]:
    preference = Preference.objects.filter(user=user).first()
    phone = preference.phone if preference is not None else ""
    texts = SmsOutbox.objects.filter(
        Q(reminder__user=user) | (Q(phone=phone) if phone else Q(pk__in=[]))
    )
    return {
        "texts": texts.delete()[0],
        "notifications": Notification.objects.filter(user=user).delete()[0],
        "reminders": Reminder.objects.filter(user=user).delete()[0],
        "sign_in_codes": SignInCode.objects.filter(user=user).delete()[0],
        "reminder_choices": Preference.objects.filter(user=user).delete()[0],
    }


SOURCE = PersonalDataSource(
    name="reminders",
    title=_("Your reminders"),
    export=notifications_export,
    erase=notifications_erase,
    models=(
        "notifications.Preference",
        "notifications.Reminder",
        "notifications.Notification",
        "notifications.SignInCode",
    ),
)


def sms_consent_applied(*, user: User, given: bool) -> None:
    """The number for reminders by text: withdrawn, no more reminders by text (the number
    stays only while the person keeps it on the reminders page, for sign-in by code);
    given, texts start if a number is on file (else the reminders page asks for one)."""
    preference, _created = Preference.objects.get_or_create(user=user)
    preference.sms = given and bool(preference.phone)
    preference.save(update_fields=["sms"])


def weekly_summary_consent_applied(*, user: User, given: bool) -> None:
    preference, _created = Preference.objects.get_or_create(user=user)
    preference.weekly_summary = given
    muted = [k for k in preference.muted_kinds if k != Kind.WEEKLY_SUMMARY.value]
    preference.muted_kinds = muted if given else [*muted, Kind.WEEKLY_SUMMARY.value]
    preference.save(update_fields=["weekly_summary", "muted_kinds"])
