"""Consents under the privacy notice (docs/privacy.md): reading them, giving and withdrawing
them, each change audited. Apps above accounts that act on a choice (notifications keeps
the phone and the weekly summary) register a hook here in their ``AppConfig.ready()``,
so a choice changed on the privacy page reaches them without accounts importing them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from core import clock
from core.audit import AuditAction
from core.services import audit_log_record

from .models import Consent, Purpose, User

# The version of the privacy notice (templates/accounts/privacy_notice.html). Change it
# whenever the notice changes what we collect, why, where, who sees it or how long: every
# signed-in person is then asked again at their next page (accounts.middleware).
NOTICE_VERSION = "2026-12-01"

OPTIONAL_PURPOSES = (Purpose.SMS_REMINDERS, Purpose.WEEKLY_SUMMARY, Purpose.GPS_ON_LOGS)

# purpose -> hooks called as hook(user=..., given=...) inside the change's transaction.
ConsentHook = Callable[..., None]
_hooks: dict[str, list[ConsentHook]] = {}


def consent_hook_register(purpose: Purpose, hook: ConsentHook) -> None:
    """Called by the app that acts on ``purpose``; registering the same hook again is a
    no-op, so a repeated ``ready()`` (tests) does not stack them."""
    hooks = _hooks.setdefault(purpose.value, [])
    if hook not in hooks:
        hooks.append(hook)


def consents_standing(*, user: Any) -> dict[str, Consent]:
    """The person's consents not withdrawn, by purpose."""
    if not getattr(user, "pk", None):
        return {}
    return {c.purpose: c for c in Consent.objects.filter(user=user, withdrawn_at__isnull=True)}


def consent_given(*, user: Any, purpose: Purpose) -> bool:
    """Whether ``user`` has a standing consent to ``purpose`` (any notice version)."""
    if not getattr(user, "pk", None):
        return False
    return Consent.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).exists()


def notice_accepted(*, user: Any) -> bool:
    """Whether ``user`` has accepted the current version of the notice."""
    return Consent.objects.filter(
        user=user, purpose=Purpose.NOTICE, withdrawn_at__isnull=True, notice_version=NOTICE_VERSION
    ).exists()


def _audit(*, user: User, purpose: Purpose, action: AuditAction, source: str) -> None:
    audit_log_record(
        actor=user,
        action=action,
        target=user,
        data={"purpose": purpose.value, "notice_version": NOTICE_VERSION, "source": source},
    )


@transaction.atomic
def consent_set(
    *, user: User, purpose: Purpose, given: bool, source: str, run_hooks: bool = True
) -> bool:
    """Give or withdraw one consent, under the current notice version. Atomic and audited
    (``consent.granted`` / ``consent.revoked``, with the purpose and version, nothing
    personal); a consent already standing under this version, or already withdrawn,
    changes and records nothing. Giving again under a newer version withdraws the older
    row and adds one. Returns whether anything changed. Hooks of ``purpose`` run in the
    same transaction unless ``run_hooks`` is false (the caller already did what they do)."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    purpose = Purpose(purpose)
    now = clock.now()
    standing = Consent.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True)
    current = standing.first()
    if given and current is not None and current.notice_version == NOTICE_VERSION:
        return False
    if not given and current is None:
        return False
    standing.update(withdrawn_at=now)
    if given:
        Consent.objects.create(
            user=user, purpose=purpose, notice_version=NOTICE_VERSION, given_at=now
        )
    # Re-accepting a new version of the notice is a consent given; so is a first one.
    action = AuditAction.CONSENT_GRANTED if given else AuditAction.CONSENT_REVOKED
    _audit(user=user, purpose=purpose, action=action, source=source)
    if run_hooks:
        for hook in _hooks.get(purpose.value, []):
            hook(user=user, given=given)
    return True


@transaction.atomic
def consent_choices_save(*, user: User, choices: dict[Purpose, bool], source: str) -> list[str]:
    """Save the optional choices of the privacy page: each purpose given or withdrawn on
    its own, audited one row per change. Returns the purposes that changed."""
    changed = []
    for purpose, given in choices.items():
        if purpose not in OPTIONAL_PURPOSES:
            raise ValueError(f"{purpose} is not an optional purpose")
        if consent_set(user=user, purpose=purpose, given=given, source=source):
            changed.append(purpose.value)
    return changed
