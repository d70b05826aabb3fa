"""The create call's fast path: a plain function for a plainly valid request."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.http import HttpRequest, HttpResponse

from core.json_input import json_too_deep
from core.problems import ProblemType, problem_response, problem_type_for
from regions.selectors import county_codes

from .. import services
from ..auth import rate_limit_wait
from ..codes import LOCALES
from ..models import Scope, TransferCheck
from .inputs import (
    AMOUNT_RE,
    CURRENCIES,
    IDEMPOTENCY_KEY_RE,
    MAX_BODY_BYTES,
    RETURN_URL_MAX_LENGTH,
    scam_type_codes,
)

# A risk system calls create inside its ~100 ms decision budget, many times a second. DRF's
# request wrapping and nested serializers cost more CPU than everything else on that path, so
# a plainly valid request (known client with the scope, valid key, body and rate) is handled
# by a plain function; ANY other request goes through the DRF view below, whose serializers
# explain what is wrong and which documents the operation. The fast validator accepts only
# what the serializers accept and yields the same data (tests/quizzes/test_fast_path.py).

_SUBJECT_KEYS = frozenset({"ref", "age_band", "locale", "region_code"})
_TRANSFER_KEYS = frozenset({"amount", "currency", "channel", "payee_type"})
_RISK_KEYS = frozenset({"score", "scam_types", "reasons"})
_REF_RE = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_REASON_RE = re.compile(r"[a-z0-9_]{1,40}")
_AGE_BANDS = frozenset(TransferCheck.AgeBand.values)
_LOCALES = frozenset(LOCALES)
_CHANNELS = frozenset(TransferCheck.Channel.values)
_PAYEE_TYPES = frozenset(TransferCheck.PayeeType.values)
_CURRENCIES = frozenset(CURRENCIES)


def _optional_choice(
    source: dict[str, Any], target: dict[str, Any], name: str, allowed: frozenset[str]
) -> bool:
    if name not in source:
        return True
    value = source[name]
    if type(value) is not str or value not in allowed:
        return False
    target[name] = value
    return True


def transfer_check_input_fast(data: Any) -> dict[str, Any] | None:
    """The create body's validated data if it is plainly valid, else None (then the
    serializers decide, and explain). Never accepts what the serializers refuse."""
    if type(data) is not dict or not data.keys() <= {"subject", "transfer", "risk", "return_url"}:
        return None
    subject = _fast_subject(data.get("subject"))
    transfer = _fast_transfer(data.get("transfer"))
    if subject is None or transfer is None:
        return None
    out: dict[str, Any] = {"subject": subject, "transfer": transfer}
    if "return_url" in data:
        return_url = data["return_url"]
        if type(return_url) is not str or not 0 < len(return_url) <= RETURN_URL_MAX_LENGTH:
            return None
        if return_url != return_url.strip():
            return None  # the serializer trims it: leave that to the serializer
        out["return_url"] = return_url
    if "risk" not in data:
        return out
    risk = _fast_risk(data["risk"])
    if risk is None:
        return None
    out["risk"] = risk
    return out


def _fast_subject(subject: Any) -> dict[str, Any] | None:
    if type(subject) is not dict or not subject.keys() <= _SUBJECT_KEYS:
        return None
    ref = subject.get("ref")
    if type(ref) is not str or not _REF_RE.fullmatch(ref):
        return None
    out: dict[str, Any] = {"ref": ref}
    if not (
        _optional_choice(subject, out, "age_band", _AGE_BANDS)
        and _optional_choice(subject, out, "locale", _LOCALES)
    ):
        return None
    if "region_code" in subject:
        region = subject["region_code"]
        if type(region) is not str or region not in county_codes():
            return None
        out["region_code"] = region
    return out


def _fast_transfer(transfer: Any) -> dict[str, Any] | None:
    if type(transfer) is not dict or not transfer.keys() <= _TRANSFER_KEYS:
        return None
    amount, currency = transfer.get("amount"), transfer.get("currency")
    if type(amount) is not str or not AMOUNT_RE.fullmatch(amount) or float(amount) <= 0:
        return None
    if type(currency) is not str or currency not in _CURRENCIES:
        return None
    out: dict[str, Any] = {"amount": amount, "currency": currency}
    if not (
        _optional_choice(transfer, out, "channel", _CHANNELS)
        and _optional_choice(transfer, out, "payee_type", _PAYEE_TYPES)
    ):
        return None
    return out


def _fast_risk(risk: Any) -> dict[str, Any] | None:
    if type(risk) is not dict or not risk.keys() <= _RISK_KEYS:
        return None
    out: dict[str, Any] = {}
    if "score" in risk:
        score = risk["score"]
        if type(score) not in (int, float) or not (0 <= score <= 1) or math.isnan(score):
            return None
        out["score"] = float(score)
    codes = scam_type_codes()
    for name, most, fits in (
        ("scam_types", 5, lambda t: len(t) <= 40 and t in codes),
        ("reasons", 10, _REASON_RE.fullmatch),
    ):
        if name in risk:
            items = risk[name]
            if type(items) is not list or len(items) > most:
                return None
            if any(type(item) is not str or not fits(item) for item in items):
                return None
            out[name] = list(items)
    return out


def _json_response(body: dict[str, Any], status: int) -> HttpResponse:
    # The same bytes DRF's renderer writes (compact, UTF-8), and its Allow header.
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )
    response["Allow"] = "POST, OPTIONS"
    return response


def _problem(request: HttpRequest, kind: ProblemType, **members: Any) -> HttpResponse:
    response = problem_response(request, kind, **members)
    response["Allow"] = "POST, OPTIONS"
    return response


def transfer_check_create_fast(request: HttpRequest) -> HttpResponse | None:
    """Answer a plainly valid create call; None hands the request to the DRF view."""
    if request.method != "POST" or request.content_type != "application/json":
        return None
    # Parsed together with content_type; None only on a bare HttpRequest (no content_type).
    charset = (request.content_params or {}).get("charset", "utf-8")
    if charset.lower() not in ("utf-8", "utf8"):
        return None
    scheme, _sep, api_key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not api_key or " " in api_key:
        return None
    client = services.api_client_authenticate(api_key)
    if client is None or not client.has_scope(Scope.CHECKS_CREATE):
        return None
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    if not IDEMPOTENCY_KEY_RE.match(key):
        return None
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return None
    if json_too_deep(request.body):
        return None  # the DRF view answers it, through the same depth check
    try:
        raw = json.loads(request.body, parse_constant=_refuse_constant)
    except ValueError:
        return None
    data = transfer_check_input_fast(raw)
    if data is None or data.get("return_url", "") not in ("", *client.return_urls):
        return None  # the DRF view refuses an unregistered return_url, naming it
    if rate_limit_wait(client) is not None:
        return None
    try:
        answer = services.transfer_check_create(
            client=client,
            idempotency_key=key,
            fingerprint=services.request_fingerprint(raw),
            data=data,
        )
    except services.SubjectRefPersonal as refused:
        return _problem(request, problem_type_for(refused), **refused.extra)
    except (services.IdempotencyMismatch, services.IdempotencyConflict) as refused:
        return _problem(request, problem_type_for(refused))
    response = _json_response(answer.body, answer.status)
    response["Location"] = f"/api/v1/transfer-checks/{answer.body.get('id')}"
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
