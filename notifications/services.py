"""Reminders: planned once per deduplication key, sent in batches, each in its own
transaction that also records its deliveries.

Guarantees: a reminder is planned at most once (unique key). In-app notifications and SMS
outbox rows are written in the transaction that marks the reminder sent, so a worker killed
mid-batch and restarted sends them exactly once and misses none. Email leaves the machine
before that commit, so it is at least once: a kill in the instant between the mail server's
acceptance and the commit resends it, with the same Message-ID so it can be recognised.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns.models import SessionLog
from campaigns.models import Status as LogStatus
from campaigns.selectors import planned_sessions_unlogged
from core import clock
from edu.models import Certificate, Enrollment

from .channels import CHANNELS, Message
from .models import Delivery, Kind, Notification, Preference, Reminder

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
    return preference


# --- Planning -----------------------------------------------------------------------------


def _plan(rows: list[Reminder], now: datetime) -> int:
    """Create the reminders whose key is new, due now. Returns how many were new."""
    if not rows:
        return 0
    for row in rows:
        row.due_at = now
    keys = [r.key for r in rows]
    before = set(Reminder.objects.filter(key__in=keys).values_list("key", flat=True))
    Reminder.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(set(keys) - before)


def reminders_plan(*, now: datetime | None = None) -> dict[str, int]:
    """Find everyone who should hear from us and plan one reminder per key. Safe to run
    any number of times: a key is planned once."""
    now = now or clock.now()
    idle = now - timedelta(days=settings.REMINDERS_NUDGE_AFTER_DAYS)
    recent = now - timedelta(days=14)
    planned: dict[str, int] = {}

    nudges = Enrollment.objects.filter(
        completed_at__isnull=True, last_seen_at__lt=idle, last_seen_at__gte=recent - timedelta(30)
    ).values_list("id", "user_id", "course_id", "last_seen_at")
    planned[Kind.COURSE_NUDGE] = _plan(
        [
            Reminder(
                key=f"course_nudge:{pk}:{seen:%Y%m%d}",
                user_id=user_id,
                kind=Kind.COURSE_NUDGE,
                context={"course": course_id},
            )
            for pk, user_id, course_id, seen in nudges
        ],
        now,
    )
    certificates = Certificate.objects.filter(
        rendered_at__isnull=False, revoked_at__isnull=True, issued_at__gte=recent
    ).values_list("id", "user_id", "serial")
    planned[Kind.CERTIFICATE_READY] = _plan(
        [
            Reminder(
                key=f"certificate_ready:{pk}",
                user_id=user_id,
                kind=Kind.CERTIFICATE_READY,
                context={"serial": serial},
            )
            for pk, user_id, serial in certificates
        ],
        now,
    )
    rejected = SessionLog.objects.filter(
        status=LogStatus.REJECTED, reviewed_at__gte=recent
    ).values_list("id", "volunteer_id", "venue_name", "held_on")
    planned[Kind.LOG_REJECTED] = _plan(
        [
            Reminder(
                key=f"log_rejected:{pk}",
                user_id=user_id,
                kind=Kind.LOG_REJECTED,
                context={"venue": venue, "held_on": held_on.isoformat()},
            )
            for pk, user_id, venue, held_on in rejected
        ],
        now,
    )
    day = timezone.localdate(now)
    waiting = (
        SessionLog.objects.filter(status=LogStatus.PENDING, campaign__coordinators__isnull=False)
        .values("campaign__coordinators")
        .annotate(total=Count("id"))
        .order_by()
        .values_list("campaign__coordinators", "total")
    )
    planned[Kind.REVIEW_DIGEST] = _plan(
        [
            Reminder(
                key=f"review_digest:{user_id}:{day:%Y%m%d}",
                user_id=user_id,
                kind=Kind.REVIEW_DIGEST,
                context={"waiting": total},
            )
            for user_id, total in waiting
        ],
        now,
    )
    year, week, _weekday = day.isocalendar()
    weekly = Preference.objects.filter(weekly_summary=True).values_list("user_id", flat=True)
    planned[Kind.WEEKLY_SUMMARY] = _plan(
        [
            Reminder(
                key=f"weekly_summary:{user_id}:{year}W{week:02d}",
                user_id=user_id,
                kind=Kind.WEEKLY_SUMMARY,
            )
            for user_id in weekly
        ],
        now,
    )
    return planned


def unlogged_sessions_plan(*, now: datetime | None = None) -> int:
    """Plan a reminder to each volunteer whose planned session's date passed
    ``REMINDERS_UNLOGGED_AFTER_DAYS`` ago or more (within the last month) with no matching
    log and not marked as not held (matching: ``campaigns.selectors.plan_logged``). Once per
    plan (its key); safe to run any number of times. Returns how many were new."""
    now = now or clock.now()
    today = timezone.localdate(now)
    due_on = today - timedelta(days=settings.REMINDERS_UNLOGGED_AFTER_DAYS)
    plans = planned_sessions_unlogged(due_on=due_on, since=due_on - timedelta(days=30))
    return _plan(
        [
            Reminder(
                key=f"session_not_logged:{pk}",
                user_id=user_id,
                kind=Kind.SESSION_NOT_LOGGED,
                context={"venue": venue, "planned_on": planned_on.isoformat()},
            )
            for pk, user_id, venue, planned_on in plans.values_list(
                "id", "volunteer_id", "venue_name", "planned_on"
            )
        ],
        now,
    )


# --- Sending ------------------------------------------------------------------------------


def _message(reminder: Reminder, user: User) -> Message:
    context: dict[str, Any] = reminder.context or {}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        if reminder.kind == Kind.COURSE_NUDGE:
            subject = _("Your course is waiting for you")
            body = _("A few minutes today keep what you learned fresh. Pick up where you left off.")
            url = reverse("edu:my-learning")
        elif reminder.kind == Kind.CERTIFICATE_READY:
            subject = _("Your certificate is ready")
            body = _("Well done! Your certificate %(serial)s can be shown and verified online.") % {
                "serial": context.get("serial", "")
            }
            url = reverse("edu:my-learning")
        elif reminder.kind == Kind.LOG_REJECTED:
            subject = _("A session log was returned to you")
            body = _(
                "Your log of %(venue)s on %(day)s was not approved; see the reviewer's reason."
            ) % {
                "venue": context.get("venue", ""),
                "day": context.get("held_on", ""),
            }
            url = reverse("campaigns:mine")
        elif reminder.kind == Kind.SESSION_NOT_LOGGED:
            subject = _("Did you hold the session at %(venue)s?") % {
                "venue": context.get("venue", "")
            }
            body = _(
                "You planned a session at %(venue)s on %(day)s and we have no log of it yet. "
                "Log it now, or mark it as not held."
            ) % {"venue": context.get("venue", ""), "day": context.get("planned_on", "")}
            url = reverse("campaigns:plans")
        elif reminder.kind == Kind.REVIEW_DIGEST:
            subject = _("Session logs waiting for your review")
            body = _("%(count)s session logs are waiting for review.") % {
                "count": context.get("waiting", 0)
            }
            url = reverse("campaigns:review")
        else:
            subject = _("Your week of learning")
            body = _("See your progress and what to learn next.")
            url = reverse("edu:my-learning")
        return Message(
            subject=str(subject),
            body=str(body),
            url=settings.SITE_URL + url,
            unsubscribe_url=unsubscribe_url(user_id=user.pk, kind=reminder.kind),
        )


def _sent_today(user_id: int, now: datetime) -> int:
    return Reminder.objects.filter(
        user_id=user_id, status=Reminder.Status.SENT, sent_at__gt=now - timedelta(days=1)
    ).count()


def reminder_send(*, reminder_id: int, now: datetime | None = None) -> str:
    """Send one due reminder on every channel the person wants, in one transaction with
    its delivery records. Returns what happened: sent, deferred (quiet hours or the daily
    cap), suppressed (turned off), or skipped (not due, or another worker has it)."""
    now = now or clock.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(pk=reminder_id, status=Reminder.Status.PENDING, due_at__lte=now)
            .select_related("user")
            .first()
        )
        if reminder is None:
            return "skipped"
        user = reminder.user
        preference = preference_of(user)
        off = reminder.kind in preference.muted_kinds or (
            reminder.kind == Kind.WEEKLY_SUMMARY and not preference.weekly_summary
        )
        if off or not user.is_active:
            reminder.status = Reminder.Status.SUPPRESSED
            reminder.save(update_fields=["status"])
            return "suppressed"
        later = quiet_until(user, now)
        if later is None and _sent_today(user.pk, now) >= settings.REMINDERS_DAILY_CAP:
            later = now + timedelta(hours=3)
        if later is not None:
            reminder.due_at = later
            reminder.save(update_fields=["due_at"])
            return "deferred"
        message = _message(reminder, user)
        done = set(reminder.deliveries.values_list("channel", flat=True))
        for channel in CHANNELS:
            if channel.name in done or not channel.wanted(preference):
                continue
            channel.send(reminder, message, preference)
            Delivery.objects.create(reminder=reminder, channel=channel.name, sent_at=now)
        reminder.status = Reminder.Status.SENT
        reminder.sent_at = now
        reminder.save(update_fields=["status", "sent_at"])
        return "sent"


def reminders_send_due(*, now: datetime | None = None, batch: int | None = None) -> dict[str, Any]:
    """Send up to ``batch`` due reminders, oldest first. ``more`` tells whether another
    batch is waiting (the task then queues itself again)."""
    now = now or clock.now()
    size = batch or settings.REMINDERS_BATCH_SIZE
    ids = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[: size + 1]
    )
    outcomes: dict[str, Any] = {}
    for reminder_id in ids[:size]:
        outcome = reminder_send(reminder_id=reminder_id, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    outcomes["more"] = len(ids) > size
    return outcomes


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
