"""A person's requests about their own data (PIPL arts. 45 and 47; docs/privacy.md): a copy
of everything we hold about them, and the erasure of their account.

Each app that holds personal data registers a :class:`PersonalDataSource` in its
``AppConfig.ready()``: what it exports for a person and how it erases them. Accounts, the
lowest app holding people, so never imports the apps above it, and a new app with personal
data adds its source beside its models (tests/accounts/test_data_requests.py checks that
every model with a foreign key to the user is covered by a source).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from core.audit import AuditAction
from core.services import audit_log_record, audit_personal_values_erase

from .models import Consent, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonalDataSource:
    """What one app holds about a person.

    ``export(user)`` returns plain JSON-ready data (lists of dicts); ``erase(user)`` removes
    or anonymises it, files in private storage included, and returns counts by kind. Both
    run inside the request's transaction. ``models`` names the models (``app.Model``) whose
    user foreign keys the source handles, for the coverage test."""

    name: str
    title: Any  # a lazy translation, shown as the heading of the readable page
    export: Callable[[User], Any]
    erase: Callable[[User], dict[str, int]]
    models: tuple[str, ...] = field(default=())


_sources: dict[str, PersonalDataSource] = {}


def personal_data_source_register(source: PersonalDataSource) -> None:
    """Called from an app's ``ready()``; the same name again replaces the entry, so a
    repeated ``ready()`` (tests) does not stack them."""
    _sources[source.name] = source


def personal_data_sources() -> list[PersonalDataSource]:
    return list(_sources.values())


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything we hold about ``user``, by source, as plain data for a JSON file and the
    readable page. Reads only."""
    data: dict[str, Any] = {
        "exported_at": clock.now().isoformat(),
        "account_id": user.pk,
    }
    for source in personal_data_sources():
        data[source.name] = source.export(user)
    return data


def _profile_export(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "elder_mode": user.elder_mode,
        "time_zone": user.time_zone,
        "joined": user.date_joined.isoformat(),
        "last_sign_in": user.last_login.isoformat() if user.last_login else None,
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }


def _consents_export(user: User) -> list[dict[str, Any]]:
    return [
        {
            "purpose": c.purpose,
            "notice_version": c.notice_version,
            "given_at": c.given_at.isoformat(),
            "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
        }
        for c in Consent.objects.filter(user=user).order_by("given_at", "id")
    ]


def _account_erase(user: User) -> dict[str, int]:
    """The account row stays, as an anonymous shell the programme's records point at."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    username = user.username
    counts = {
        "consents": Consent.objects.filter(user=user).delete()[0],
        "authenticator_devices": TOTPDevice.objects.filter(user=user).delete()[0],
        "sign_in_records": sum(
            model.objects.filter(username=username).delete()[0]
            for model in (AccessAttempt, AccessFailureLog, AccessLog)
        ),
    }
    user.groups.clear()
    user.user_permissions.clear()
    shell_name = f"deleted-{uuid.uuid4().hex[:16]}"
    personal = ["username", "display_name", "first_name", "last_name", "email"]
    counts["audit_rows_scrubbed"] = audit_personal_values_erase(
        values=[getattr(user, name) for name in personal],
        target=user,
        fields=personal,
        replacement=shell_name,
    )
    user.username = shell_name
    user.display_name = user.first_name = user.last_name = user.email = ""
    # A new unusable hash also ends every session of the account (Django checks it).
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.elder_mode = False
    user.last_login = None
    user.erased_at = clock.now()
    user.save()
    return counts


personal_data_source_register(
    PersonalDataSource(
        name="profile",
        title=_("Your account"),
        export=_profile_export,
        erase=_account_erase,
    )
)
personal_data_source_register(
    PersonalDataSource(
        name="consents",
        title=_("Your consents"),
        export=_consents_export,
        erase=lambda user: {},  # erased with the account (above)
        models=("accounts.Consent",),
    )
)


@dataclass(frozen=True)
class ErasureResult:
    erased: bool  # False: the account was already erased, nothing was done
    counts: dict[str, dict[str, int]]


@transaction.atomic
def account_erase(*, user: User, by: Any | None = None) -> ErasureResult:
    """Erase ``user``'s account at their request: every source erases or anonymises what it
    holds (rows and private files), then the account itself loses every personal field and
    can no longer sign in. Atomic: files are removed only once the transaction commits.

    Figures stay as they were: learning progress and session logs stay, attached to the
    anonymous account, so summary tables and a full rebuild count the same. Audited as
    ``user.erased`` with counts only, no name or contact. Cannot be undone (nothing personal
    is kept to restore). A second call on an erased account is a no-op that records
    nothing and returns ``erased=False``."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.erased_at is not None:
        return ErasureResult(erased=False, counts={})
    counts: dict[str, dict[str, int]] = {}
    # The account's own source last: the others may still read its fields.
    for source in sorted(personal_data_sources(), key=lambda s: s.name == "profile"):
        counts[source.name] = source.erase(locked)
    audit_log_record(
        actor=by if by is not None and getattr(by, "pk", None) != user.pk else locked,
        action=AuditAction.USER_ERASED,
        target=locked,
        data={"counts": counts},
    )
    user.refresh_from_db()
    logger.info("account erased", extra={"account_id": user.pk})
    return ErasureResult(erased=True, counts=counts)
