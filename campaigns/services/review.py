"""Coordinators' review of session logs."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.audit import AuditAction
from core.services import audit_log_record

from ..models import (
    Campaign,
    SessionLog,
    Status,
)
from .errors import RejectionWithoutReason, ReviewNotAllowed


def coordinator_of(*, user: User, campaign_id: int) -> bool:
    return Campaign.objects.filter(pk=campaign_id, coordinators=user).exists()


@transaction.atomic
def session_log_review(
    *, log: SessionLog, reviewer: User, decision: str, note: str = ""
) -> SessionLog:
    """Approve, reject (a reason is required; the volunteer sees it) or flag a log. Only a
    coordinator of the log's campaign with the review permission may. Atomic and audited.
    Raises ReviewNotAllowed or RejectionWithoutReason."""
    if not reviewer.has_perm("accounts.review_field_sessions") or not coordinator_of(
        user=reviewer, campaign_id=log.campaign_id
    ):
        raise ReviewNotAllowed
    if decision not in (Status.APPROVED, Status.REJECTED, Status.FLAGGED):
        raise ValueError(f"unknown decision {decision!r}")
    note = note.strip()
    if decision == Status.REJECTED and not note:
        raise RejectionWithoutReason
    before = log.status
    log.status = decision
    log.review_note = note
    log.reviewed_by = reviewer
    log.reviewed_at = timezone.now()
    log.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit_log_record(
        actor=reviewer,
        action={
            Status.APPROVED: AuditAction.SESSION_LOG_APPROVED,
            Status.REJECTED: AuditAction.SESSION_LOG_REJECTED,
            Status.FLAGGED: AuditAction.SESSION_LOG_FLAGGED,
        }[Status(decision)],
        target=log,
        data={"note": note},
        before={"status": before},
        after={"status": decision},
    )
    return log


@transaction.atomic
def session_logs_approve(*, log_ids: Iterable[int], reviewer: User) -> list[SessionLog]:
    """Approve several logs at once, each through :func:`session_log_review` (so each is
    audited as if approved alone). Only logs of the reviewer's own campaigns that still wait
    (pending or flagged) are approved; others (unknown, another coordinator's campaign,
    decided meanwhile) are left as they are. Atomic: all of them or none. Returns the logs
    approved. Raises ReviewNotAllowed for a reviewer without the review permission."""
    if not reviewer.has_perm("accounts.review_field_sessions"):
        raise ReviewNotAllowed
    logs = list(
        SessionLog.objects.select_for_update(of=("self",))
        .filter(
            pk__in=list(log_ids),
            campaign__coordinators=reviewer,
            status__in=[Status.PENDING, Status.FLAGGED],
        )
        .order_by("pk")
    )
    for log in logs:
        session_log_review(log=log, reviewer=reviewer, decision=Status.APPROVED)
    return logs
