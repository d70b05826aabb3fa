"""A person's reminder preferences: quiet hours, the one-click unsubscribe, the
settings page's update, and marking in-app notifications read."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.consents import consent_set
from accounts.models import Purpose, User

from ..models import Kind, Notification, Preference

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
QUIET_FROM = dtime(21, 0)
QUIET_UNTIL = dtime(8, 0)


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or "Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def quiet_until(user: User, now: datetime) -> datetime | None:
    """When quiet hours (21:00–08:00 in the user's time zone) end, or None outside them."""
    zone = _zone(user)
    local = now.astimezone(zone)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    return datetime.combine(day, QUIET_UNTIL, tzinfo=zone)


def preference_of(user: User) -> Preference:
    preference, _created = Preference.objects.get_or_create(user=user)
    return preference


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off one kind of reminder for the token's owner. Idempotent. Raises
    signing.BadSignature for a token that was not made by us."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    user = User.objects.get(pk=data["u"])
    preference = Preference.objects.select_for_update().get(pk=preference_of(user).pk)
    kind = str(data["k"])
    if kind not in preference.muted_kinds:
        preference.muted_kinds = [*preference.muted_kinds, kind]
        preference.save(update_fields=["muted_kinds"])
    return user, kind


@transaction.atomic
def preference_update(
    *,
    user: User,
    kinds: list[str],
    weekly_summary: bool,
    email: bool,
    in_app: bool,
    sms: bool,
    phone: str,
) -> Preference:
    """Save what a person wants: ``kinds`` are the kinds they keep (every other kind is
    muted, the weekly summary by ``weekly_summary``), and the channels. Atomic; the form
    validates the phone number. Reminders already sent are not affected; planned ones
    follow the new choice when they go out."""
    preference = Preference.objects.select_for_update().get(pk=preference_of(user).pk)
    wanted = set(kinds) | ({Kind.WEEKLY_SUMMARY.value} if weekly_summary else set())
    preference.muted_kinds = [k.value for k in Kind if k.value not in wanted]
    preference.weekly_summary = weekly_summary
    preference.email, preference.in_app, preference.sms = email, in_app, sms
    preference.phone = phone
    preference.save()
    # The same choices as on the privacy page, recorded as consents (audited when changed).
    for purpose, given in (
        (Purpose.SMS_REMINDERS, sms and bool(phone)),
        (Purpose.WEEKLY_SUMMARY, weekly_summary),
    ):
        consent_set(user=user, purpose=purpose, given=given, source="reminders", run_hooks=False)
    return preference


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
