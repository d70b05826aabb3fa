"""Sending due reminders in batches of a few short transactions, none open while a
mail server is waited on (see the package's docstring for the guarantees)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock
from core.formatting import format_count

from ..channels import CHANNELS, Message, Outgoing
from ..models import Delivery, Kind, Preference, Reminder
from .preferences import quiet_until, unsubscribe_url


def _day(iso: str) -> str:
    """A day kept as ISO 8601 in a reminder's context, written in the active language."""
    day = parse_date(iso) if iso else None
    return date_format(day, "DATE_FORMAT") if day else iso


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
                "day": _day(context.get("held_on", "")),
            }
            url = reverse("campaigns:mine")
        elif reminder.kind == Kind.SESSION_NOT_LOGGED:
            subject = _("Did you hold the session at %(venue)s?") % {
                "venue": context.get("venue", "")
            }
            body = _(
                "You planned a session at %(venue)s on %(day)s and we have no log of it yet. "
                "Log it now, or mark it as not held."
            ) % {"venue": context.get("venue", ""), "day": _day(context.get("planned_on", ""))}
            url = reverse("campaigns:plans")
        elif reminder.kind == Kind.REVIEW_DIGEST:
            subject = _("Session logs waiting for your review")
            body = _("%(count)s session logs are waiting for review.") % {
                "count": format_count(context.get("waiting", 0))
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


def _preferences_of(users: dict[int, User]) -> dict[int, Preference]:
    """Everyone's preferences in one query (created with the defaults where missing)."""
    found = {p.user_id: p for p in Preference.objects.filter(user_id__in=users)}
    if len(found) < len(users):
        Preference.objects.bulk_create(
            [Preference(user_id=pk) for pk in users if pk not in found], ignore_conflicts=True
        )
        found = {p.user_id: p for p in Preference.objects.filter(user_id__in=users)}
    for preference in found.values():
        preference.user = users[preference.user_id]
    return found


def _sent_today(user_ids: Iterable[int], now: datetime) -> dict[int, int]:
    """How many reminders each person got in the last day, in one query."""
    rows = (
        Reminder.objects.filter(
            user_id__in=user_ids, status=Reminder.Status.SENT, sent_at__gt=now - timedelta(days=1)
        )
        .values("user_id")
        .annotate(total=Count("id"))
        .order_by()
        .values_list("user_id", "total")
    )
    return dict(rows)


@dataclass
class _Batch:
    """What a batch does with each reminder it claimed."""

    suppressed: list[int] = field(default_factory=list)
    deferred: list[Reminder] = field(default_factory=list)
    local: list[Outgoing] = field(default_factory=list)  # database channels only
    remote: list[Outgoing] = field(default_factory=list)  # also email or a remote SMS gateway
    done: dict[int, set[str]] = field(default_factory=dict)  # channels already delivered


def _batch_sort(rows: list[Reminder], now: datetime) -> _Batch:
    users = {r.user_id: r.user for r in rows}
    preferences = _preferences_of(users)
    sent = _sent_today(users, now)
    batch = _Batch()
    for reminder_id, channel in Delivery.objects.filter(reminder__in=rows).values_list(
        "reminder_id", "channel"
    ):
        batch.done.setdefault(reminder_id, set()).add(channel)
    remote = [c for c in CHANNELS if c.remote]
    for reminder in rows:
        user, preference = reminder.user, preferences[reminder.user_id]
        off = reminder.kind in preference.muted_kinds or (
            reminder.kind == Kind.WEEKLY_SUMMARY and not preference.weekly_summary
        )
        if off or not user.is_active:
            batch.suppressed.append(reminder.pk)
            continue
        later = quiet_until(user, now)
        if later is None and sent.get(user.pk, 0) >= settings.REMINDERS_DAILY_CAP:
            later = now + timedelta(hours=3)
        if later is not None:
            reminder.due_at = later
            batch.deferred.append(reminder)
            continue
        sent[user.pk] = sent.get(user.pk, 0) + 1
        item = Outgoing(reminder, _message(reminder, user), preference)
        done = batch.done.get(reminder.pk, set())
        if any(c.name not in done and c.wanted(preference) for c in remote):
            batch.remote.append(item)
        else:
            batch.local.append(item)
    return batch


def _record_sent(items: list[Outgoing], batch: _Batch, now: datetime) -> None:
    """In the caller's transaction: the database channels of ``items`` (in-app, SMS
    outbox), one Delivery per channel, and the reminders marked sent, in a few queries."""
    if not items:
        return
    deliveries: list[Delivery] = []
    for channel in CHANNELS:
        if channel.remote:
            continue
        wanted = [
            i
            for i in items
            if channel.name not in batch.done.get(i.reminder.pk, set())
            and channel.wanted(i.preference)
        ]
        if wanted:
            channel.send(wanted)
            deliveries += [
                Delivery(reminder=i.reminder, channel=channel.name, sent_at=now) for i in wanted
            ]
    Delivery.objects.bulk_create(deliveries)
    Reminder.objects.filter(pk__in=[i.reminder.pk for i in items]).update(
        status=Reminder.Status.SENT, sent_at=now, sending_until=None
    )


def _send_remote(
    items: list[Outgoing], batch: _Batch, window: float
) -> tuple[list[Outgoing], list[tuple[Reminder, str]], Exception | None]:
    """Send the remote channels of ``items``, outside any transaction, one reminder at a
    time, starting none after ``window`` seconds. Returns the reminders fully sent, every
    (reminder, channel) that went out, and the error that stopped the loop, if any."""
    stop_at = time.monotonic() + window
    sent: list[Outgoing] = []
    delivered: list[tuple[Reminder, str]] = []
    for item in items:
        if time.monotonic() > stop_at:
            break
        done = batch.done.get(item.reminder.pk, set())
        try:
            for channel in CHANNELS:
                if channel.remote and channel.name not in done and channel.wanted(item.preference):
                    channel.send([item])
                    delivered.append((item.reminder, channel.name))
        except Exception as error:  # recorded below, then raised for the task to retry
            return sent, delivered, error
        sent.append(item)
    return sent, delivered, None


def reminders_send_due(*, now: datetime | None = None, batch: int | None = None) -> dict[str, Any]:
    """Send up to ``batch`` due reminders, oldest first, on every channel each person wants.
    Returns how many were sent, deferred (quiet hours or the daily cap) and suppressed
    (turned off); ``more`` tells whether another batch is waiting (the task then queues
    itself again).

    No transaction is open while another server is waiting on (email, a remote SMS
    gateway), so a slow mail server holds no lock (on SQLite, no write lock on the whole
    database):

    1. One short transaction claims the due reminders (``SKIP LOCKED``, and not leased by
       another sender), settles the ones turned off or to defer, writes outright those with
       only database channels (in-app, SMS outbox) and leases the others
       (``sending_until``, ``REMINDERS_SEND_LEASE`` seconds).
    2. Their email goes out with no transaction open; no new send starts after half the lease.
    3. A second short transaction records the deliveries, writes the database channels and
       marks them sent; the ones not reached get their lease back for the next batch.

    Database channels are written exactly once (in the transaction that marks the reminder
    sent). Email is at least once: a worker killed after the mail server accepted a message
    and before step 3 leaves the lease to run out, and the next sender sends it again, with
    the same Message-ID. The number of queries does not depend on the batch's size."""
    now = now or clock.now()
    size = batch or settings.REMINDERS_BATCH_SIZE
    lease_end = now + timedelta(seconds=settings.REMINDERS_SEND_LEASE)
    with transaction.atomic():
        rows = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Reminder.Status.PENDING, due_at__lte=now)
            .filter(Q(sending_until__isnull=True) | Q(sending_until__lte=now))
            .select_related("user")
            .order_by("due_at", "id")[: size + 1]
        )
        more = len(rows) > size
        todo = _batch_sort(rows[:size], now)
        if todo.suppressed:
            Reminder.objects.filter(pk__in=todo.suppressed).update(
                status=Reminder.Status.SUPPRESSED, sending_until=None
            )
        for reminder in todo.deferred:
            reminder.sending_until = None
        Reminder.objects.bulk_update(todo.deferred, ["due_at", "sending_until"])
        _record_sent(todo.local, todo, now)
        leased = [i.reminder.pk for i in todo.remote]
        if leased:
            Reminder.objects.filter(pk__in=leased).update(sending_until=lease_end)

    sent, delivered, error = _send_remote(todo.remote, todo, settings.REMINDERS_SEND_LEASE / 2)

    if todo.remote:
        with transaction.atomic():
            # Still ours? (A lease taken over after running out is the other sender's now.)
            ours = set(
                Reminder.objects.select_for_update()
                .filter(pk__in=leased, status=Reminder.Status.PENDING, sending_until=lease_end)
                .values_list("pk", flat=True)
            )
            Delivery.objects.bulk_create(
                [
                    Delivery(reminder=reminder, channel=channel, sent_at=now)
                    for reminder, channel in delivered
                    if reminder.pk in ours
                ],
                ignore_conflicts=True,
            )
            _record_sent([i for i in sent if i.reminder.pk in ours], todo, now)
            Reminder.objects.filter(pk__in=ours, status=Reminder.Status.PENDING).update(
                sending_until=None
            )
    if error is not None:
        raise error
    more = more or len(sent) < len(todo.remote)
    outcomes: dict[str, Any] = {
        name: count
        for name, count in (
            ("sent", len(todo.local) + len(sent)),
            ("deferred", len(todo.deferred)),
            ("suppressed", len(todo.suppressed)),
        )
        if count
    }
    outcomes["more"] = more
    return outcomes
