"""A second factor for staff in the admin: a TOTP app (any authenticator) via django-otp.

The admin requires a verified session for staff (accounts.middleware.
AdminSecondFactorMiddleware, setting ADMIN_REQUIRE_SECOND_FACTOR); these are its use cases."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import AuditAction
from core.services import audit_log_record

from .models import User


def totp_device_of(*, user: User) -> TOTPDevice | None:
    """The confirmed authenticator of ``user``, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator ``user`` is enrolling: created on the first visit and the same
    secret on every later one until a code from it confirms it. Idempotent."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


@transaction.atomic
def totp_device_verify(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Check a six-digit code from ``device``. A pending device becomes confirmed by its
    first right code (audited). Each wrong code doubles the wait before the next one is
    even checked (django-otp's throttling); a code is accepted once only."""
    if device.user_id != user.pk or not device.verify_token(token.strip()):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_log_record(actor=user, action=AuditAction.SECOND_FACTOR_ENROLLED, target=user)
    return True


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// link as a QR code, an SVG data URI (CSP allows data: images)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32 for typing into an app by hand, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
