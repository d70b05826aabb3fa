"""Transfer checks, from the create call through the quiz (open, answer, decide) to
expiry and the risk system's resolution. The create call is idempotent per client and key."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from core import clock
from core.audit import AuditAction
from core.exceptions import DomainError
from core.services import audit_log_record

from ..models import (
    ApiClient,
    IdempotencyKey,
    TransferCheck,
)
from ..subjects import subject_ref_personal_kind
from .check_body import quiz_url
from .check_draw import CheckScreen, _open, transfer_check_draw
from .check_rows import check_row, check_row_update
from .grading import _answer_record
from .idempotency import IdempotencyConflict, StoredAnswer, _claim_insert, _stored_answer
from .outbox import webhook_event_record

logger = logging.getLogger(__name__)


def _one_statement() -> bool:
    """The create call's hot path: PostgreSQL outside any transaction."""
    return connection.vendor == "postgresql" and connection.get_autocommit()


class ReturnUrlNotRegistered(DomainError):
    """The create call's return_url is not one of its client's registered return URLs."""

    code = "return-url-not-registered"

    def __init__(self, return_url: str) -> None:
        super().__init__(return_url=return_url)


def transfer_check_create(
    *, client: ApiClient, idempotency_key: str, fingerprint: str, data: dict[str, Any]
) -> StoredAnswer:
    """Create a pending check, exactly once per (client, Idempotency-Key).

    An optional ``return_url`` (where the quiz's end screens link back to the app) must be
    one of the client's registered return URLs, exactly; else ReturnUrlNotRegistered, before
    anything is written. It is part of the body, so of the idempotency fingerprint.

    A replay with the same body returns the stored answer; another body raises
    IdempotencyMismatch; a duplicate arriving while the first is still being written raises
    IdempotencyConflict. On PostgreSQL outside a transaction the claim, the check and the
    stored answer are ONE statement (see _create_in_one_statement); elsewhere the claim is
    committed first, then the check and the answer in one transaction. Does no network I/O
    beyond the database: nothing is enqueued here. A subject reference that looks like a
    mobile or resident ID number raises SubjectRefPersonal before anything is stored."""
    subject, transfer, risk = data["subject"], data["transfer"], data.get("risk") or {}
    looks_like = subject_ref_personal_kind(subject["ref"])
    if looks_like is not None:
        raise SubjectRefPersonal(looks_like=looks_like, pointer="#/subject/ref")
    now = timezone.now()
    return_url = data.get("return_url", "")
    if return_url and return_url not in client.return_urls:
        raise ReturnUrlNotRegistered(return_url)
    check = TransferCheck(
        client=client,
        subject_ref=subject["ref"],
        age_band=subject.get("age_band", ""),
        locale=subject.get("locale", "zh-hans"),
        region_code=subject.get("region_code", ""),
        amount=transfer["amount"],
        currency=transfer["currency"],
        channel=transfer.get("channel", ""),
        payee_type=transfer.get("payee_type", ""),
        risk_score=risk.get("score"),
        scam_types=risk.get("scam_types", []),
        reasons=risk.get("reasons", []),
        return_url=return_url,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.TRANSFER_CHECK_TTL),
        amount_flagged=_above_ceiling(client, transfer["amount"], transfer["currency"]),
    )
    body = {
        "id": str(check.id),
        "status": check.status,
        "quiz_url": quiz_url(check),
        "expires_at": check.expires_at.isoformat(),
    }
    for _ in range(2):
        if _one_statement():
            created = _create_in_one_statement(
                check, key=idempotency_key, fingerprint=fingerprint, body=body
            )
            if created:
                return StoredAnswer(201, body, False)
        else:
            claim = _claim_insert(client, idempotency_key, fingerprint, now)
            if claim is not None:
                try:
                    with transaction.atomic():
                        check.save(force_insert=True)
                        IdempotencyKey.objects.filter(pk=claim.pk).update(
                            response_status=201, response_body=body
                        )
                except BaseException:
                    IdempotencyKey.objects.filter(pk=claim.pk).delete()
                    raise
                return StoredAnswer(201, body, False)
        stored = _stored_answer(client, idempotency_key, fingerprint, now)
        if stored is not None:
            return stored
    raise IdempotencyConflict


class SubjectRefPersonal(DomainError):
    """The subject reference looks like a mobile number or a resident ID number: the
    contract takes a pseudonym only (least data). ``looks_like`` names which."""

    code = "subject-ref-personal-data"


def _above_ceiling(client: ApiClient, amount: str, currency: str) -> bool:
    """Whether the amount waits for staff before it counts in protected funds (only CNY
    amounts count there at all)."""
    return currency == "CNY" and Decimal(amount) > client.amount_ceiling()


def _advisory_lock_id(client_id: int, key: str) -> int:
    """A signed 64-bit lock id for (client, key), for pg_try_advisory_xact_lock."""
    digest = hashlib.blake2b(f"idempotency:{client_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@functools.cache
def _create_sql() -> str:
    """Claim the key, insert the check and store the answer: one statement, one transaction.

    The advisory lock makes a duplicate that arrives while the first is being written fail
    fast (409) instead of queueing behind it; the claim is the unique (client, key) row,
    inserted with its answer; the check is inserted only if the claim was. Parameters carry
    explicit types (INSERT … SELECT does not infer them from the columns)."""
    quote = connection.ops.quote_name
    fields = TransferCheck._meta.concrete_fields
    columns = ", ".join(quote(str(f.column)) for f in fields)
    values = ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields)
    keys = quote(IdempotencyKey._meta.db_table)
    checks = quote(TransferCheck._meta.db_table)
    return (
        "WITH lock AS (SELECT pg_try_advisory_xact_lock(%s::bigint) AS held), "  # noqa: S608 - names from the models, values bound
        f"claim AS (INSERT INTO {keys} "
        "(client_id, key, request_hash, created_at, expires_at, response_status, response_body) "
        "SELECT %s::integer, %s::varchar, %s::varchar, %s::timestamptz, %s::timestamptz, 201, "
        "%s::jsonb FROM lock WHERE held "
        "ON CONFLICT (client_id, key) DO NOTHING RETURNING id), "
        f"created AS (INSERT INTO {checks} ({columns}) SELECT {values} FROM claim) "
        "SELECT held, EXISTS (SELECT 1 FROM claim) FROM lock"
    )


@functools.cache
def _check_columns() -> list[tuple[str, bool]]:
    """The check's attributes in column order, and whether each is JSON: the values go to
    psycopg as they are (the statement casts each to its column's type), which costs far
    less than Django's per-field preparation on this hot path."""
    return [
        (f.attname, isinstance(f, models.JSONField)) for f in TransferCheck._meta.concrete_fields
    ]


def _create_in_one_statement(
    check: TransferCheck, *, key: str, fingerprint: str, body: dict[str, Any]
) -> bool:
    """True if the check was created; False if the key is already taken (committed: the
    caller reads the stored answer). Raises IdempotencyConflict if a request with the same
    key holds the lock right now."""
    params: list[Any] = [
        Jsonb(getattr(check, name)) if is_json else getattr(check, name)
        for name, is_json in _check_columns()
    ]
    expires = check.created_at + timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL)
    values: list[Any] = [
        _advisory_lock_id(check.client_id, key),
        check.client_id,
        key,
        fingerprint,
        check.created_at,
        expires,
        json.dumps(body),
        *params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_create_sql(), values)
        held, created = cursor.fetchone()
    if not held:
        raise IdempotencyConflict
    if created:
        check._state.adding = False
    return bool(created)


def _locked(check_id: Any) -> TransferCheck:
    """The check, locked until the transaction ends (statement built once: check_rows)."""
    check = check_row(check_id, lock=True)
    if check is None:
        raise TransferCheck.DoesNotExist(f"no transfer check {check_id}")
    return check


@transaction.atomic
def transfer_check_open(*, check_id: Any, now: datetime | None = None) -> TransferCheck:
    """The user opened the quiz: expire the check if it is too late; otherwise, the first
    time, draw 3–5 questions for its scam types, age band and locale (the draw
    ``transfer_check_draw`` showed). Idempotent."""
    now = now or clock.now()
    check = _locked(check_id)
    if check.is_final:
        return check
    if now >= check.expires_at:
        return _finish(check, TransferCheck.Status.EXPIRED, now)
    if not check.items:
        _open(check, now)
        check_row_update(check, ["items", "opened_at", "status"])
    return check


@transaction.atomic
def transfer_check_answer(
    *, check_id: Any, question_id: int, option_ids: list[int], now: datetime | None = None
) -> CheckScreen:
    """Record the answer to the check's next question; a check not opened yet is opened by
    its first answer (the start screen shows the first question). Not recorded (the screen
    is falsy) if the check is over, expired (then it is finished as expired) or the answer
    is not for the next question. The screen holds the check's questions. Two queries (lock,
    update) once the draw is in the cache, else two more."""
    now = now or clock.now()
    check = _locked(check_id)
    if check.is_final:
        return CheckScreen(check)
    if now >= check.expires_at:
        return CheckScreen(_finish(check, TransferCheck.Status.EXPIRED, now))
    fields = ["answers", "score"]
    if check.items:
        questions = transfer_check_draw(check)[1]
    elif check.status == TransferCheck.Status.PENDING:
        questions = _open(check, now)
        fields += ["items", "opened_at", "status"]
    else:
        return CheckScreen(check)
    if not _answer_record(
        items=check.items, answers=check.answers, question_id=question_id, option_ids=option_ids
    ):
        if "items" in fields:
            check_row_update(check, ["items", "opened_at", "status"])
        return CheckScreen(check, questions)
    shown = questions.get(question_id)
    correct = {o.id for o in shown.options if o.is_correct} if shown else set()
    right = bool(correct) and set(check.answers[str(question_id)]) == correct
    check.score = (check.score or 0) + (1 if right else 0)
    check_row_update(check, fields)
    return CheckScreen(check, questions, recorded=True)


@transaction.atomic
def transfer_check_decide(
    *, check_id: Any, stop: bool, now: datetime | None = None
) -> TransferCheck:
    """The user's choice at the end: stop the transfer (heeded) or go on (proceeded). Only
    after every question drawn was answered (a check for which the bank has none goes
    straight to the choice); once. Writes the webhook event in the same
    transaction (outbox)."""
    now = now or clock.now()
    # Its client comes along for the webhook event (only the check's row is locked).
    check = (
        TransferCheck.objects.select_related("client")
        .select_for_update(of=("self",))
        .get(pk=check_id)
    )
    if check.is_final:
        return check
    if now >= check.expires_at:
        return _finish(check, TransferCheck.Status.EXPIRED, now)
    if check.status == TransferCheck.Status.PENDING:
        if transfer_check_draw(check)[0]:
            return check  # questions to answer first
        _open(check, now)  # the bank has none for it: the choice is all there is
        check.save(update_fields=["items", "opened_at", "status"])
    if len(check.answers) < len(check.items):
        return check
    status = TransferCheck.Status.HEEDED if stop else TransferCheck.Status.PROCEEDED
    return _finish(check, status, now)


def _finish(check: TransferCheck, status: str, now: datetime) -> TransferCheck:
    if status == TransferCheck.Status.EXPIRED and check.opened_at:
        status = TransferCheck.Status.ABANDONED  # opened, never finished
    check.status = status
    check.completed_at = now
    check_row_update(check, ["status", "completed_at"])
    webhook_event_record(
        client=check.client, check=check, event_type="transfer_check.completed", now=now
    )
    return check


def transfer_check_finish_if_overdue(
    check: TransferCheck, *, now: datetime | None = None
) -> TransferCheck:
    """A check read after its time is up is finished at once (expired, or abandoned if
    opened; webhook recorded), as the periodic sweeper would a moment later: a poller never
    sees ``pending`` past ``expires_at``."""
    now = now or clock.now()
    if check.is_final or now < check.expires_at:
        return check
    return transfer_check_open(check_id=check.pk, now=now)


def transfer_checks_expire_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Finish checks whose time is up (expired, or abandoned if opened). Idempotent."""
    now = now or clock.now()
    ids = list(
        TransferCheck.objects.filter(
            status__in=[TransferCheck.Status.PENDING, TransferCheck.Status.IN_PROGRESS],
            expires_at__lte=now,
        ).values_list("id", flat=True)[:limit]
    )
    for check_id in ids:
        transfer_check_open(check_id=check_id, now=now)
    return len(ids)


class ResolutionConflict(DomainError):
    """Another resolution is already on file (``recorded`` member: that one)."""

    code = "resolution-already-recorded"

    def __init__(self, recorded: str) -> None:
        super().__init__(recorded=recorded)
        self.recorded = recorded


@transaction.atomic
def transfer_check_resolve(
    *, check: TransferCheck, resolution: str, now: datetime | None = None
) -> TransferCheck:
    """Record what really happened to the transfer, once. The same resolution again is a
    no-op; another one raises ResolutionConflict. Audited."""
    check = TransferCheck.objects.select_for_update().get(pk=check.pk)
    if check.resolution:
        if check.resolution != resolution:
            raise ResolutionConflict(check.resolution)
        return check
    check.resolution = resolution
    check.resolved_at = now or clock.now()
    check.save(update_fields=["resolution", "resolved_at"])
    audit_log_record(
        actor=None,
        action=AuditAction.TRANSFER_CHECK_RESOLVED,
        target=check,
        data={"client": check.client.name, "resolution": resolution},
        before={"resolution": ""},
        after={"resolution": resolution},
    )
    return check


class AmountNotFlagged(DomainError):
    """The check's amount is under its client's ceiling: there is nothing to confirm."""

    code = "amount-not-flagged"


@transaction.atomic
def transfer_check_amount_confirm(
    *, check: TransferCheck, by: Any, now: datetime | None = None
) -> TransferCheck:
    """A staff member confirms a flagged amount, so it counts in protected funds (when the
    check is heeded, was shown, and was resolved ``cancelled``). Idempotent: confirming again
    changes nothing and records nothing; a check that is not flagged raises AmountNotFlagged.
    Audited with before/after. The incremental reach refresh picks the cell up by
    ``amount_confirmed_at``."""
    check = TransferCheck.objects.select_for_update().get(pk=check.pk)
    if not check.amount_flagged:
        raise AmountNotFlagged
    if check.amount_confirmed_at is not None:
        return check
    check.amount_confirmed_at = now or clock.now()
    check.save(update_fields=["amount_confirmed_at"])
    audit_log_record(
        actor=by,
        action=AuditAction.TRANSFER_CHECK_AMOUNT_CONFIRMED,
        target=check,
        data={"client": check.client.name, "amount": str(check.amount), "currency": check.currency},
        before={"amount_confirmed_at": None},
        after={"amount_confirmed_at": check.amount_confirmed_at.isoformat()},
    )
    return check
