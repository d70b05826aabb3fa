from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock

# Seconds since the epoch of the last request of a staff session.
LAST_ACTIVITY_KEY = "accounts_staff_last_activity"
# The stamp is rewritten at most this often, so a busy staff page does not write its session
# on every request; a session may therefore end up to this much before the idle limit.
_TOUCH_EVERY_SECONDS = 60


class StaffSessionIdleMiddleware:
    """Signs staff out after ``STAFF_SESSION_IDLE_SECONDS`` without a request.

    A staff session can change what every learner sees, so an unattended browser must not
    stay signed in for the month a learner's session lasts. Each staff request moves the
    session's expiry forward (cookie and store); a request after the idle limit signs out
    and goes on as anonymous, so pages send the person to sign in and APIs refuse. Learners
    keep ``SESSION_COOKIE_AGE``. Must come after ``AuthenticationMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            self._check_idle(request)
        return self.get_response(request)

    @staticmethod
    def _check_idle(request: HttpRequest) -> None:
        idle_limit = settings.STAFF_SESSION_IDLE_SECONDS
        now = int(clock.time())
        last = request.session.get(LAST_ACTIVITY_KEY)
        if isinstance(last, int) and now - last > idle_limit:
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)d minutes without activity.")
                % {"minutes": idle_limit // 60},
            )
            return
        if not isinstance(last, int) or now - last >= _TOUCH_EVERY_SECONDS:
            request.session[LAST_ACTIVITY_KEY] = now
            request.session.set_expiry(idle_limit)


class AdminSecondFactorMiddleware:
    """Sends a staff session that has not given a code from its authenticator app to the
    second-factor page before any admin page (ADMIN_REQUIRE_SECOND_FACTOR). A stolen
    password alone does not open the admin. Must come after django-otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.ADMIN_REQUIRE_SECOND_FACTOR and self._needs_second_factor(request):
            return redirect_to_login(
                request.get_full_path(), reverse("accounts:second_factor"), REDIRECT_FIELD_NAME
            )
        return self.get_response(request)

    @staticmethod
    def _needs_second_factor(request: HttpRequest) -> bool:
        admin = reverse("admin:index")
        if not request.path.startswith(admin) or request.path == reverse("admin:logout"):
            return False
        user = getattr(request, "user", None)
        return bool(
            user is not None and user.is_authenticated and user.is_staff and not user.is_verified()
        )


# The notice version this session's person accepted, so the database is asked once per
# session and version, not on every page.
NOTICE_ACCEPTED_KEY = "accounts_notice_version"
# Paths a person who has not accepted the current notice may still open: the notice itself,
# the consent page, signing out, their data and its deletion (refusing a new notice must
# not lock anyone out of leaving), the payment app's quiz screen (it is the app's, with no
# way away), and machinery (API, admin, static, health).
_NOTICE_EXEMPT_PREFIXES = (
    "/privacy/",
    "/t/",
    "/accounts/logout/",
    "/accounts/me/data",
    "/accounts/me/delete/",
    "/api/",
    "/admin/",
    "/static/",
    "/media/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/problems/",
    "/i18n/",
    "/preferences/",
    "/campaigns/sw.js",
)


class PrivacyNoticeMiddleware:
    """Sends a signed-in person who has not accepted the current version of the privacy
    notice to the consent page before any other page (PRIVACY_NOTICE_REQUIRED), then back.
    API clients (bearer keys, the /api/ paths) are never redirected. Must come after
    ``AuthenticationMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.PRIVACY_NOTICE_REQUIRED and self._needs_consent(request):
            return redirect_to_login(
                request.get_full_path(), reverse("privacy:consent"), REDIRECT_FIELD_NAME
            )
        return self.get_response(request)

    @staticmethod
    def _needs_consent(request: HttpRequest) -> bool:
        from .consents import NOTICE_VERSION, notice_accepted

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(_NOTICE_EXEMPT_PREFIXES):
            return False
        if request.session.get(NOTICE_ACCEPTED_KEY) == NOTICE_VERSION:
            return False
        if notice_accepted(user=user):
            request.session[NOTICE_ACCEPTED_KEY] = NOTICE_VERSION
            return False
        return True
