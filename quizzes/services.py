"""Writes of the quizzes app: grading, learners' attempts, API clients, transfer checks and
the webhook outbox. Every function is keyword-only; the docstring says what it guarantees."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from psycopg.types.json import Jsonb

from core.services import audit_log_record

from . import selectors
from .codes import AUDIENCE_FOR_AGE_BAND
from .models import (
    ApiClient,
    Attempt,
    IdempotencyKey,
    Question,
    Quiz,
    TransferCheck,
    WebhookEvent,
)
from .webhooks import (
    UnsafeWebhookUrl,
    signed_headers,
    webhook_post,
    webhook_secret_generate,
    webhook_url_check,
)

logger = logging.getLogger(__name__)

# --- Grading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    correct: bool
    chosen: list[int]
    correct_options: list[int]
    explanation: str


@dataclass(frozen=True)
class GradeResult:
    score: int
    total: int
    passed: bool
    questions: dict[int, QuestionResult] = field(default_factory=dict)


def _is_correct(question: Question, chosen: list[int]) -> bool:
    correct = {o.id for o in question.options.all() if o.is_correct}
    return set(chosen) == correct


def knowledge_check_grade(*, answers: dict[int, list[int]], pass_ratio: float = 0.6) -> GradeResult:
    """Hook for ``edu``: grade answers (question id -> chosen option ids). A question is
    right when exactly its correct options were chosen. Passed when at least ``pass_ratio``
    of the questions are right. Reads only; writes nothing."""
    questions = selectors.questions_with_options([int(q) for q in answers])
    results: dict[int, QuestionResult] = {}
    for question in questions:
        chosen = sorted(int(o) for o in answers.get(question.id, []))
        results[question.id] = QuestionResult(
            question_id=question.id,
            correct=_is_correct(question, chosen),
            chosen=chosen,
            correct_options=[o.id for o in question.options.all() if o.is_correct],
            explanation=question.explanation,
        )
    score = sum(r.correct for r in results.values())
    total = len(results)
    return GradeResult(
        score=score,
        total=total,
        passed=total > 0 and score >= pass_ratio * total,
        questions=results,
    )


def _items_for(question_ids: list[int], rng: random.Random) -> list[dict[str, Any]]:
    """The questions with their options in a shuffled order (true/false keeps 对 before 错)."""
    items = []
    by_question = selectors.option_ids_by_question(question_ids)
    for question_id in question_ids:
        if question_id not in by_question:
            continue
        kind, options = by_question[question_id]
        if kind != Question.Kind.TRUE_FALSE:
            rng.shuffle(options)
        items.append({"q": question_id, "o": options})
    return items


def _answer_record(
    *,
    items: list[dict[str, Any]],
    answers: dict[str, list[int]],
    question_id: int,
    option_ids: list[int],
) -> bool:
    """Record an answer to the next unanswered question. Returns False (and changes nothing)
    if that question is not the next one or an option is not one of its options."""
    position = len(answers)
    if position >= len(items) or items[position]["q"] != question_id:
        return False
    if not option_ids or not set(option_ids) <= set(items[position]["o"]):
        return False
    answers[str(question_id)] = sorted(set(option_ids))
    return True


def _score(items: list[dict[str, Any]], answers: dict[str, list[int]]) -> int:
    grade = knowledge_check_grade(
        answers={int(q): a for q, a in answers.items() if any(i["q"] == int(q) for i in items)}
    )
    return grade.score


# --- Learners' attempts ---------------------------------------------------------------------


@transaction.atomic
def attempt_start(*, quiz: Quiz, user: Any | None, language: str) -> Attempt:
    """Start an attempt: draw the quiz's questions (fixed keys or its rule) and shuffle each
    question's options. Never empty: raises ValueError if the bank has no fitting question."""
    rng = random.SystemRandom()
    if quiz.fixed_keys:
        by_key = dict(
            selectors.published_questions(language=language)
            .filter(key__in=quiz.fixed_keys)
            .values_list("key", "id")
        )
        ids = [by_key[k] for k in quiz.fixed_keys if k in by_key]
    else:
        ids = selectors.question_ids_draw(
            scam_types=[quiz.scam_type.code] if quiz.scam_type else [],
            audience=quiz.audience.code if quiz.audience else None,
            language=language,
            count=quiz.question_count,
            rng=rng,
        )
    if not ids:
        raise ValueError("no published questions for this quiz")
    return Attempt.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        quiz=quiz,
        scam_type=quiz.scam_type,
        language=language,
        items=_items_for(ids, rng),
    )


@transaction.atomic
def attempt_answer(*, attempt_id: Any, question_id: int, option_ids: list[int]) -> bool:
    """Record the answer to the attempt's next question; the attempt is finished and scored
    with its last answer. Answering twice or out of order changes nothing (returns False)."""
    attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
    if attempt.finished_at:
        return False
    if not _answer_record(
        items=attempt.items,
        answers=attempt.answers,
        question_id=question_id,
        option_ids=option_ids,
    ):
        return False
    attempt.score = _score(attempt.items, attempt.answers)
    if len(attempt.answers) == len(attempt.items):
        attempt.finished_at = timezone.now()
    attempt.save(update_fields=["answers", "score", "finished_at"])
    return True


# --- API clients ----------------------------------------------------------------------------

KEY_PREFIX = "aq_"


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_split(key: str) -> str | None:
    """The public prefix of a key of the form ``aq_<prefix>_<secret>``, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, sep, rest = key[len(KEY_PREFIX) :].partition("_")
    return prefix if sep and len(prefix) == 8 and rest else None


@dataclass(frozen=True)
class NewApiClient:
    client: ApiClient
    api_key: str
    webhook_secret: str


@transaction.atomic
def api_client_create(
    *,
    name: str,
    scopes: list[str],
    webhook_url: str = "",
    rate_limit_per_minute: int = 600,
    by: Any | None = None,
) -> NewApiClient:
    """Create a client; the key and webhook secret are returned once and only the key's hash
    is kept. Raises UnsafeWebhookUrl for a URL that fails the SSRF check. Audited."""
    if webhook_url:
        webhook_url_check(webhook_url)
    prefix = secrets.token_hex(4)
    api_key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    secret = webhook_secret_generate()
    client = ApiClient.objects.create(
        name=name,
        key_prefix=prefix,
        key_hash=api_key_hash(api_key),
        scopes=sorted(set(scopes)),
        webhook_url=webhook_url,
        webhook_secret=secret,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    audit_log_record(
        actor=by,
        action="quizzes.api_client_created",
        target=client,
        data={"name": name, "scopes": client.scopes, "key_prefix": prefix},
    )
    return NewApiClient(client=client, api_key=api_key, webhook_secret=secret)


@transaction.atomic
def api_client_rotate_webhook_secret(*, client: ApiClient, by: Any | None = None) -> str:
    """Start a rotation: a new secret signs beside the old one until the next rotation."""
    client.previous_webhook_secret = client.webhook_secret
    client.webhook_secret = webhook_secret_generate()
    client.save(update_fields=["webhook_secret", "previous_webhook_secret"])
    audit_log_record(actor=by, action="quizzes.webhook_secret_rotated", target=client)
    return client.webhook_secret


# Clients found by key, per process, for a few seconds: the create call's hot path then needs
# no query for authentication. Deactivating a client or changing its limit takes effect within
# API_CLIENT_CACHE_SECONDS.
_client_cache: dict[str, tuple[float, ApiClient]] = {}


def api_clients_forget() -> None:
    """Drop the clients this process remembers (after a client was changed)."""
    _client_cache.clear()


def api_client_authenticate(key: str) -> ApiClient | None:
    """The active client whose key this is, or None (constant-time hash comparison)."""
    digest = api_key_hash(key)
    cached = _client_cache.get(digest)
    if cached is not None and time.monotonic() - cached[0] < settings.API_CLIENT_CACHE_SECONDS:
        return cached[1]
    prefix = api_key_split(key)
    if prefix is None:
        return None
    client = selectors.api_client_by_prefix(prefix)
    if client is None or not secrets.compare_digest(client.key_hash, digest):
        return None
    if len(_client_cache) > 1000:
        _client_cache.clear()
    _client_cache[digest] = (time.monotonic(), client)
    return client


# --- Transfer checks ------------------------------------------------------------------------

QUIZ_SALT = "quizzes.transfer-check-quiz"


def quiz_token(check_id: Any) -> str:
    return signing.TimestampSigner(salt=QUIZ_SALT).sign(str(check_id).replace("-", ""))


def quiz_token_check_id(token: str) -> str | None:
    """The check id a quiz link names, or None if the signature is wrong or the link is older
    than the longest check lifetime."""
    try:
        return signing.TimestampSigner(salt=QUIZ_SALT).unsign(
            token, max_age=settings.TRANSFER_CHECK_TTL + 60
        )
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return None


def quiz_url(check: TransferCheck) -> str:
    return f"{settings.SITE_URL}/t/{quiz_token(check.id)}/"


def transfer_check_body(check: TransferCheck, *, with_url: bool = False) -> dict[str, Any]:
    """The check as the API and webhooks show it."""
    body: dict[str, Any] = {
        "id": str(check.id),
        "status": check.status,
        "score": check.score,
        "total": check.total if check.items else None,
        "resolution": check.resolution or None,
        "flags": {
            "opened": check.opened_at is not None,
            "all_correct": (check.score == check.total) if check.score is not None else None,
        },
        "subject_ref": check.subject_ref,
        "amount": f"{Decimal(check.amount):.2f}",
        "currency": check.currency,
        "created_at": check.created_at.isoformat(),
        "expires_at": check.expires_at.isoformat(),
        "opened_at": check.opened_at.isoformat() if check.opened_at else None,
        "completed_at": check.completed_at.isoformat() if check.completed_at else None,
        "resolved_at": check.resolved_at.isoformat() if check.resolved_at else None,
    }
    if with_url:
        body["quiz_url"] = quiz_url(check)
    return body


class IdempotencyConflict(Exception):
    """Another request with this key is still being processed (409)."""


class IdempotencyMismatch(Exception):
    """This key was used with another body (422)."""


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: dict[str, Any]
    replayed: bool


def request_fingerprint(data: Any) -> str:
    """Same JSON value, same fingerprint, whatever the key order or spacing."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim_insert(
    client: ApiClient, key: str, fingerprint: str, now: datetime
) -> IdempotencyKey | None:
    """Insert the claim in its own transaction; None if the key is taken (then the caller
    reads the stored row). The portable path: the claim is committed before the check is
    written, so a concurrent duplicate finds it in flight."""
    claim = IdempotencyKey(
        client=client,
        key=key,
        request_hash=fingerprint,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL),
    )
    try:
        with transaction.atomic():
            claim.save(force_insert=True)
    except IntegrityError:
        return None
    return claim


def _stored_answer(
    client: ApiClient, key: str, fingerprint: str, now: datetime
) -> StoredAnswer | None:
    """The answer stored under a key that is taken: a replay, or IdempotencyMismatch /
    IdempotencyConflict; None if the row was expired or stale and is now gone (claim again)."""
    stored = IdempotencyKey.objects.filter(client=client, key=key).first()
    if stored is None:
        return None  # deleted meanwhile: claim again
    stale = stored.response_status is None and stored.created_at < now - timedelta(
        seconds=settings.IDEMPOTENCY_IN_FLIGHT_TIMEOUT
    )
    if stored.expires_at <= now or stale:
        IdempotencyKey.objects.filter(pk=stored.pk).delete()
        return None
    if stored.request_hash != fingerprint:
        raise IdempotencyMismatch
    if stored.response_status is None:
        raise IdempotencyConflict
    return StoredAnswer(stored.response_status, stored.response_body or {}, True)


def _one_statement() -> bool:
    """The create call's hot path: PostgreSQL outside any transaction."""
    return connection.vendor == "postgresql" and connection.get_autocommit()


def transfer_check_create(
    *, client: ApiClient, idempotency_key: str, fingerprint: str, data: dict[str, Any]
) -> StoredAnswer:
    """Create a pending check, exactly once per (client, Idempotency-Key).

    A replay with the same body returns the stored answer; another body raises
    IdempotencyMismatch; a duplicate arriving while the first is still being written raises
    IdempotencyConflict. On PostgreSQL outside a transaction the claim, the check and the
    stored answer are ONE statement (see _create_in_one_statement); elsewhere the claim is
    committed first, then the check and the answer in one transaction. Does no network I/O
    beyond the database: nothing is enqueued here."""
    now = timezone.now()
    subject, transfer, risk = data["subject"], data["transfer"], data.get("risk") or {}
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
        created_at=now,
        expires_at=now + timedelta(seconds=settings.TRANSFER_CHECK_TTL),
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


@transaction.atomic
def transfer_check_open(*, check_id: Any, now: datetime | None = None) -> TransferCheck:
    """The user opened the quiz: expire the check if it is too late; otherwise, the first
    time, draw 3–5 questions for its scam types, age band and locale. Idempotent."""
    now = now or timezone.now()
    check = TransferCheck.objects.select_for_update().get(pk=check_id)
    if check.is_final:
        return check
    if now >= check.expires_at:
        return _finish(check, TransferCheck.Status.EXPIRED, now)
    if not check.items:
        rng = random.SystemRandom()
        ids = selectors.question_ids_draw(
            scam_types=check.scam_types,
            audience=AUDIENCE_FOR_AGE_BAND.get(check.age_band),
            language=check.locale,
            count=settings.TRANSFER_CHECK_QUESTIONS,
            rng=rng,
        )
        if len(ids) < 3:  # too few of these types: top up with a general mix
            ids += [
                i
                for i in selectors.question_ids_draw(
                    scam_types=[], audience=None, language=check.locale, count=5, rng=rng
                )
                if i not in ids
            ][: 3 - len(ids)]
        check.items = _items_for(ids, rng)
        check.opened_at = now
        check.status = TransferCheck.Status.IN_PROGRESS
        check.save(update_fields=["items", "opened_at", "status"])
    return check


@transaction.atomic
def transfer_check_answer(
    *, check_id: Any, question_id: int, option_ids: list[int], now: datetime | None = None
) -> bool:
    """Record the answer to the check's next question. False if the check is over, expired
    (then it is finished as expired) or the answer is not for the next question."""
    now = now or timezone.now()
    check = TransferCheck.objects.select_for_update().get(pk=check_id)
    if check.is_final:
        return False
    if now >= check.expires_at:
        _finish(check, TransferCheck.Status.EXPIRED, now)
        return False
    if not _answer_record(
        items=check.items, answers=check.answers, question_id=question_id, option_ids=option_ids
    ):
        return False
    check.score = _score(check.items, check.answers)
    check.save(update_fields=["answers", "score"])
    return True


@transaction.atomic
def transfer_check_decide(
    *, check_id: Any, stop: bool, now: datetime | None = None
) -> TransferCheck:
    """The user's choice at the end: stop the transfer (heeded) or go on (proceeded). Only
    after every question was answered; once. Writes the webhook event in the same
    transaction (outbox)."""
    now = now or timezone.now()
    check = TransferCheck.objects.select_for_update().get(pk=check_id)
    if check.is_final:
        return check
    if now >= check.expires_at:
        return _finish(check, TransferCheck.Status.EXPIRED, now)
    if not check.items or len(check.answers) < len(check.items):
        return check
    status = TransferCheck.Status.HEEDED if stop else TransferCheck.Status.PROCEEDED
    return _finish(check, status, now)


def _finish(check: TransferCheck, status: str, now: datetime) -> TransferCheck:
    if status == TransferCheck.Status.EXPIRED and check.opened_at:
        status = TransferCheck.Status.ABANDONED  # opened, never finished
    check.status = status
    check.completed_at = now
    check.save(update_fields=["status", "completed_at"])
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
    now = now or timezone.now()
    if check.is_final or now < check.expires_at:
        return check
    return transfer_check_open(check_id=check.pk, now=now)


def transfer_checks_expire_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Finish checks whose time is up (expired, or abandoned if opened). Idempotent."""
    now = now or timezone.now()
    ids = list(
        TransferCheck.objects.filter(
            status__in=[TransferCheck.Status.PENDING, TransferCheck.Status.IN_PROGRESS],
            expires_at__lte=now,
        ).values_list("id", flat=True)[:limit]
    )
    for check_id in ids:
        transfer_check_open(check_id=check_id, now=now)
    return len(ids)


class ResolutionConflict(Exception):
    def __init__(self, recorded: str) -> None:
        super().__init__(recorded)
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
    check.resolved_at = now or timezone.now()
    check.save(update_fields=["resolution", "resolved_at"])
    audit_log_record(
        actor=None,
        action="quizzes.transfer_check_resolved",
        target=check,
        data={"client": check.client.name, "resolution": resolution},
    )
    return check


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


# --- Webhook outbox -------------------------------------------------------------------------


def webhook_event_record(
    *, client: ApiClient, check: TransferCheck, event_type: str, now: datetime
) -> WebhookEvent:
    """Write the event in the caller's transaction and try to enqueue its delivery after
    commit. The row is the truth: if the broker is down, the periodic dispatcher sends it
    once the lease below has passed."""
    event = WebhookEvent.objects.create(
        client=client,
        check_ref=check,
        event_type=event_type,
        payload={
            "type": event_type,
            "timestamp": now.isoformat(),
            "data": transfer_check_body(check),
        },
        created_at=now,
        next_attempt_at=now + timedelta(seconds=settings.WEBHOOK_DISPATCH_LEASE),
    )
    transaction.on_commit(lambda: webhook_enqueue(event_id=str(event.pk)))
    return event


def webhook_enqueue(*, event_id: str) -> bool:
    """Hand an event to Celery without waiting on a broker that is down (no retries)."""
    from .tasks import webhook_deliver

    try:
        webhook_deliver.apply_async((event_id,), retry=False)
    except Exception:  # any broker error: the outbox row stays due for the dispatcher
        logger.warning(
            "webhook %s not enqueued (broker unavailable); the outbox keeps it",
            event_id,
            exc_info=True,
        )
        return False
    return True


def webhook_backoff(attempt: int, rng: random.Random | None = None) -> timedelta:
    """Delay before retry number ``attempt`` (1-based): exponential from 30 s, capped at 6 h,
    with ±20 % jitter so failed receivers are not hit in lockstep."""
    base = min(30 * 2 ** (attempt - 1), 6 * 3600)
    jitter = (rng or random.SystemRandom()).uniform(0.8, 1.2)
    return timedelta(seconds=base * jitter)


def webhooks_dispatch_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Periodic: enqueue every due, undelivered event. Leases each one for
    WEBHOOK_DISPATCH_LEASE seconds so the next run does not enqueue it again meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(delivered_at__isnull=True, gave_up_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:limit]
        )
        WebhookEvent.objects.filter(id__in=ids).update(
            next_attempt_at=now + timedelta(seconds=settings.WEBHOOK_DISPATCH_LEASE)
        )
    sent = 0
    for event_id in ids:
        sent += webhook_enqueue(event_id=str(event_id))
    return sent


def webhook_deliver(*, event_id: str, now: datetime | None = None) -> str:
    """Try to deliver one event. Safe to run twice: a delivered or abandoned event, or one
    another worker is sending, is skipped. 2xx: delivered. 410: the client's endpoint is
    disabled (audited) and the event dropped. Otherwise the next attempt is scheduled with
    backoff, and after WEBHOOK_RETRY_WINDOW seconds the event is given up.

    No transaction is open during the POST: the event is leased first (``sending_until``,
    one short UPDATE), so a slow receiver holds no lock (on SQLite, no write lock on the
    whole database); a worker killed mid-POST leaves a lease that simply runs out."""
    now = now or timezone.now()
    lease_end = now + timedelta(seconds=settings.WEBHOOK_DISPATCH_LEASE)
    leased = (
        WebhookEvent.objects.filter(pk=event_id, delivered_at__isnull=True, gave_up_at__isnull=True)
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lte=now))
        .update(sending_until=lease_end, attempts=F("attempts") + 1)
    )
    if not leased:
        return "skipped"
    event = WebhookEvent.objects.select_related("client").get(pk=event_id)
    client = event.client
    status: int | None = None
    if not client.webhook_url or client.webhook_disabled_at:
        error = "no enabled webhook endpoint"
    else:
        body = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = signed_headers(
            client.webhook_secrets(), event.message_id, int(now.timestamp()), body
        )
        try:
            addresses = webhook_url_check(client.webhook_url)
            status = webhook_post(client.webhook_url, body, headers, addresses=addresses)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except UnsafeWebhookUrl as unsafe:
            error = f"unsafe URL: {unsafe}"
        except OSError as failure:
            error = f"{type(failure).__name__}: {failure}"[:300]
    return _webhook_attempt_record(event, status=status, error=error, now=now)


@transaction.atomic
def _webhook_attempt_record(
    event: WebhookEvent, *, status: int | None, error: str, now: datetime
) -> str:
    """Store the outcome of one attempt and release the lease."""
    client = event.client
    event.last_status = status
    event.last_error = error
    event.sending_until = None
    if status is not None and 200 <= status < 300:
        event.delivered_at = now
        outcome = "delivered"
    elif not client.webhook_url or client.webhook_disabled_at:
        event.gave_up_at = now
        outcome = "no-endpoint"
    elif status == 410:
        event.gave_up_at = now
        client.webhook_disabled_at = now
        client.save(update_fields=["webhook_disabled_at"])
        audit_log_record(
            actor=None,
            action="quizzes.webhook_endpoint_disabled",
            target=client,
            data={"url": client.webhook_url, "event": event.message_id},
        )
        outcome = "disabled"
    elif now - event.created_at >= timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW):
        event.gave_up_at = now
        outcome = "gave-up"
    else:
        event.next_attempt_at = now + webhook_backoff(event.attempts)
        outcome = "retry"
    event.save(
        update_fields=[
            "last_status",
            "last_error",
            "sending_until",
            "delivered_at",
            "gave_up_at",
            "next_attempt_at",
        ]
    )
    if outcome != "delivered":
        logger.info("webhook %s: %s (%s)", event.message_id, outcome, error)
    return outcome
