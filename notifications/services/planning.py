"""Planning reminders: each one at most once per deduplication key."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from campaigns.models import SessionLog
from campaigns.models import Status as LogStatus
from campaigns.selectors import planned_sessions_unlogged
from core import clock
from edu.models import Certificate, Enrollment

from ..models import Kind, Preference, Reminder


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

    # Inactive accounts (erased ones among them, docs/privacy.md) are told nothing.
    nudges = Enrollment.objects.filter(
        completed_at__isnull=True,
        last_seen_at__lt=idle,
        last_seen_at__gte=recent - timedelta(30),
        user__is_active=True,
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
        rendered_at__isnull=False,
        revoked_at__isnull=True,
        issued_at__gte=recent,
        user__is_active=True,
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
        status=LogStatus.REJECTED, reviewed_at__gte=recent, volunteer__is_active=True
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
