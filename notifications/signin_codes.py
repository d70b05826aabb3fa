"""Sign-in by a one-time code sent by SMS to the phone a learner registered in their reminder
preferences (``Preference.phone``), through the SMS adapter of the reminders.

Guarantees: a code is 6 random digits (``secrets``), kept only as a keyed hash, valid for
SIGN_IN_CODE_TTL_SECONDS, once, and only while it is the user's newest code; it dies after
SIGN_IN_CODE_MAX_ATTEMPTS wrong tries. Staff and editors (``is_staff``), superusers, inactive
users and a phone that several learners share are treated as an unknown phone: nothing is
sent, and the caller shows the same page as for any number, so the form tells nobody which
numbers have an account. Sending is rate limited per phone and per client address."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.signin import rate_counted
from core import clock
from core.audit import AuditAction
from core.services import audit_log_record

from .channels import SmsText, sms_adapter
from .models import SignInCode
from .phones import MOBILE, phone_normalise

_HASH_SALT = "notifications.signin_codes"


def _code_hash(*, user_id: int, code: str) -> str:
    # Keyed by SECRET_KEY: a copy of the table alone does not give the codes back, which
    # a plain hash of six digits would.
    return salted_hmac(_HASH_SALT, f"{user_id}:{code}", algorithm="sha256").hexdigest()


def sign_in_code_minutes() -> int:
    """How long a code lasts, in whole minutes, as the text and the page say it."""
    return max(1, int(settings.SIGN_IN_CODE_TTL_SECONDS) // 60)


def _learner_with_phone(phone: str) -> User | None:
    """The one active learner whose preferences name this phone, or None."""
    if not MOBILE.match(phone):
        return None
    users = list(
        User.objects.filter(
            reminder_preference__phone=phone, is_active=True, is_staff=False, is_superuser=False
        )[:2]
    )
    return users[0] if len(users) == 1 else None


def sign_in_code_allowed(*, phone: str, address: str) -> bool:
    """Whether a code may go out for this request: SIGN_IN_CODE_PER_ADDRESS_HOUR requests
    from one client address, then SIGN_IN_CODE_PER_PHONE_MINUTE and
    SIGN_IN_CODE_PER_PHONE_HOUR codes to one phone (counted for any number, registered or
    not, so the limit tells nothing either). A request refused by one limit is not counted
    by the next."""
    digest = hashlib.sha256(phone.encode()).hexdigest()[:32]
    return (
        rate_counted(f"smscode:ip:{address}", int(settings.SIGN_IN_CODE_PER_ADDRESS_HOUR), 3600)
        and rate_counted(f"smscode:min:{digest}", int(settings.SIGN_IN_CODE_PER_PHONE_MINUTE), 60)
        and rate_counted(f"smscode:hour:{digest}", int(settings.SIGN_IN_CODE_PER_PHONE_HOUR), 3600)
    )


def sign_in_code_send(*, phone: str, address: str) -> None:
    """Send a new sign-in code to ``phone`` if it is one learner's registered phone and the
    rate limits allow it; else do nothing. Either way it returns nothing, so the caller
    cannot tell. A new code makes the previous ones useless."""
    phone = phone_normalise(phone)
    if not sign_in_code_allowed(phone=phone, address=address):
        return
    user = _learner_with_phone(phone)
    if user is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = int(settings.SIGN_IN_CODE_TTL_SECONDS)
    with translation.override(user.language):
        text = SmsText(
            None,
            phone,
            _(
                "[Anquan] Your sign-in code is %(code)s. It is valid for %(minutes)s minutes. "
                "Do not tell anyone: our staff will never ask you for it."
            )
            % {"code": code, "minutes": sign_in_code_minutes()},
        )
    adapter = sms_adapter()
    now = clock.now()
    with transaction.atomic():
        SignInCode.objects.create(
            user=user,
            code_hash=_code_hash(user_id=user.pk, code=code),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
        if not adapter.remote:  # the outbox row commits with the code, or neither does
            adapter.send([text])
    if adapter.remote:  # a gateway is never waited on inside a transaction
        adapter.send([text])


def sign_in_code_verify(*, phone: str, code: str) -> User | None:
    """The learner that ``code`` signs in, or None: the code must match the newest code of
    the phone's learner, unexpired, unused and with fewer than SIGN_IN_CODE_MAX_ATTEMPTS
    wrong tries. A wrong code counts a try; the right one uses the code up and writes an
    audit row, in one transaction under a row lock (two tabs cannot both use it)."""
    user = _learner_with_phone(phone_normalise(phone))
    if user is None:
        return None
    now = clock.now()
    with transaction.atomic():
        latest = (
            SignInCode.objects.select_for_update()
            .filter(user=user)
            .order_by("-created_at", "-pk")
            .first()
        )
        if (
            latest is None
            or latest.used_at is not None
            or latest.expires_at <= now
            or latest.attempts >= int(settings.SIGN_IN_CODE_MAX_ATTEMPTS)
        ):
            return None
        if not constant_time_compare(
            latest.code_hash, _code_hash(user_id=user.pk, code=code.strip())
        ):
            latest.attempts += 1
            latest.save(update_fields=["attempts"])
            return None
        latest.used_at = now
        latest.save(update_fields=["used_at"])
        audit_log_record(actor=user, action=AuditAction.SIGN_IN_CODE_USED, target=latest)
    return user


def phone_masked(phone: str) -> str:
    """The number as a page may show it: 138****0000."""
    phone = phone_normalise(phone)
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
