"""Writes of the quizzes app: grading, learners' attempts, API clients, transfer checks and
the webhook outbox. Every function is keyword-only; the docstring says what it guarantees."""

from __future__ import annotations

from .api_clients import (
    KEY_PREFIX,
    NewApiClient,
    UnsafeReturnUrl,
    api_client_authenticate,
    api_client_create,
    api_client_rotate_webhook_secret,
    api_clients_forget,
    api_key_hash,
    api_key_split,
    return_url_check,
)
from .attempts import attempt_answer, attempt_start
from .check_body import QUIZ_SALT, quiz_token, quiz_token_check_id, quiz_url, transfer_check_body
from .check_draw import CheckScreen, transfer_check_draw
from .grading import GradeResult, QuestionResult, knowledge_check_grade
from .idempotency import (
    IdempotencyConflict,
    IdempotencyMismatch,
    StoredAnswer,
    idempotency_keys_purge,
    request_fingerprint,
)
from .outbox import (
    webhook_backoff,
    webhook_deliver,
    webhook_enqueue,
    webhook_event_record,
    webhooks_dispatch_due,
)
from .questions import (
    QuestionNotPublishable,
    question_publish,
    question_publish_check,
    question_publish_refusal,
)
from .retention import transfer_check_subjects_purge
from .transfer_checks import (
    AmountNotFlagged,
    ResolutionConflict,
    ReturnUrlNotRegistered,
    SubjectRefPersonal,
    _advisory_lock_id,
    transfer_check_amount_confirm,
    transfer_check_answer,
    transfer_check_create,
    transfer_check_decide,
    transfer_check_finish_if_overdue,
    transfer_check_open,
    transfer_check_resolve,
    transfer_checks_expire_due,
)

__all__ = [
    "KEY_PREFIX",
    "QUIZ_SALT",
    "AmountNotFlagged",
    "CheckScreen",
    "GradeResult",
    "IdempotencyConflict",
    "IdempotencyMismatch",
    "NewApiClient",
    "QuestionNotPublishable",
    "QuestionResult",
    "ResolutionConflict",
    "ReturnUrlNotRegistered",
    "StoredAnswer",
    "SubjectRefPersonal",
    "UnsafeReturnUrl",
    "_advisory_lock_id",
    "api_client_authenticate",
    "api_client_create",
    "api_client_rotate_webhook_secret",
    "api_clients_forget",
    "api_key_hash",
    "api_key_split",
    "attempt_answer",
    "attempt_start",
    "idempotency_keys_purge",
    "knowledge_check_grade",
    "question_publish",
    "question_publish_check",
    "question_publish_refusal",
    "quiz_token",
    "quiz_token_check_id",
    "quiz_url",
    "request_fingerprint",
    "return_url_check",
    "transfer_check_amount_confirm",
    "transfer_check_answer",
    "transfer_check_body",
    "transfer_check_create",
    "transfer_check_decide",
    "transfer_check_draw",
    "transfer_check_finish_if_overdue",
    "transfer_check_open",
    "transfer_check_resolve",
    "transfer_check_subjects_purge",
    "transfer_checks_expire_due",
    "webhook_backoff",
    "webhook_deliver",
    "webhook_enqueue",
    "webhook_event_record",
    "webhooks_dispatch_due",
]
