"""Reminders: planned once per deduplication key, sent in batches of a few short
transactions, none open while a mail server is waited on.

Guarantees: a reminder is planned at most once (unique key). In-app notifications and SMS
outbox rows are written in the transaction that marks the reminder sent, so a worker killed
mid-batch and restarted sends them exactly once and misses none. Email leaves the machine
before that commit, under a lease, so it is at least once: a kill between the mail server's
acceptance and the commit resends it once the lease runs out, with the same Message-ID so
it can be recognised."""

from __future__ import annotations

from .planning import reminders_plan, unlogged_sessions_plan
from .preferences import (
    QUIET_FROM,
    QUIET_UNTIL,
    UNSUBSCRIBE_SALT,
    notifications_mark_read,
    preference_of,
    preference_update,
    quiet_until,
    unsubscribe,
    unsubscribe_token,
    unsubscribe_url,
)
from .sending import reminders_send_due

__all__ = [
    "QUIET_FROM",
    "QUIET_UNTIL",
    "UNSUBSCRIBE_SALT",
    "notifications_mark_read",
    "preference_of",
    "preference_update",
    "quiet_until",
    "reminders_plan",
    "reminders_send_due",
    "unlogged_sessions_plan",
    "unsubscribe",
    "unsubscribe_token",
    "unsubscribe_url",
]
