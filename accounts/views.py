from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp.middleware import is_verified as otp_is_verified

from core.characters import candidates as character_candidates
from core.characters import glyph_png as character_png
from core.redirects import safe_next
from core.views import ELDER_MODE_COOKIE, ONE_YEAR, elder_mode_cookie_set

from .auth import request_user
from .forms import PasswordChangeForm, ProfileForm, SecondFactorForm, SignupForm
from .models import User
from .second_factor import (
    totp_device_of,
    totp_device_pending,
    totp_device_verify,
    totp_qr_data_uri,
    totp_secret_text,
)
from .selectors import user_roles
from .services import user_preferences_update, user_signup
from .signin import client_address, password_reset_allowed


def remember_preferences(response: HttpResponse, user: User) -> HttpResponse:
    """Put the account's language and elder mode into this browser's cookies."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, user.language, max_age=ONE_YEAR, samesite="Lax"
    )
    response.set_cookie(
        ELDER_MODE_COOKIE, "1" if user.elder_mode else "0", max_age=ONE_YEAR, samesite="Lax"
    )
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        return remember_preferences(response, form.get_user())

    def get_success_url(self) -> str:
        """A safe ``next`` of this site; else staff who may see the figures land on the
        overview, everyone else on their learning (LOGIN_REDIRECT_URL)."""
        user = self.request.user
        if user.is_staff and user.has_perm("accounts.view_reach_statistics"):
            return safe_next(self.request, settings.STAFF_LOGIN_REDIRECT_URL)
        return safe_next(self.request, settings.LOGIN_REDIRECT_URL)


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page axes shows instead of either login page once an account or an address has
    failed too often (AXES_LOCKOUT_CALLABLE): how long to wait, and the way back by e-mail.
    429 Too Many Requests, as axes answers by default."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"minutes": minutes, "failure_limit": get_failure_limit(request, credentials)}
    return render(request, "accounts/lockout.html", context, status=429)


# --- Password reset and change: Django's views, our templates -------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset link only if an active account has that address, and shows the same
    page either way, so the form does not tell who has an account."""

    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        if not password_reset_allowed(
            address=client_address(self.request), email=form.cleaned_data["email"]
        ):
            return HttpResponseRedirect(self.get_success_url())  # the same page, no mail
        # Links are built on SITE_URL, not on the Host header of whoever asked.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        # Whoever holds the mailbox may sign in with the new password at once, even if
        # someone else's guesses had locked the account.
        axes_reset(username=form.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view; the old password is checked like a sign-in (django-axes counts it)."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"request": self.request}


# --- Second factor for staff in the admin ---------------------------------------------------


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (QR code and secret) or give its current code; either way a
    right code verifies this session for the admin."""
    user = request_user(request)
    if not user.is_staff:
        raise Http404
    target = safe_next(request, "admin:index")
    if otp_is_verified(user):
        return redirect(target)
    device = totp_device_of(user=user)
    enrolling = device is None
    if device is None:
        device = totp_device_pending(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # django-otp makes each wrong code double the wait before the next one is checked.
        if not device.verify_is_allowed()[0]:
            form.add_error(
                "token", _("Too many wrong codes. Wait a little, then type the newest code.")
            )
        elif totp_device_verify(user=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(target)
        else:
            form.add_error(
                "token", _("That code is not right. Type the six digits your app shows now.")
            )
    context = {"form": form, "enrolling": enrolling, "next": target}
    if enrolling:
        context |= {"qr": totp_qr_data_uri(device), "secret": totp_secret_text(device)}
    return render(request, "accounts/second_factor.html", context)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:me")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_signup(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
            email=form.cleaned_data["email"],
            language=request.LANGUAGE_CODE,
            notice_accepted=form.cleaned_data["accept_notice"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("accounts:me")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return remember_preferences(redirect("accounts:me"), user)
    return render(request, "accounts/me.html", {"form": form, "roles": user_roles(user=user)})


# --- Display preferences --------------------------------------------------------------------


@require_POST
def elder_mode_set(request: HttpRequest) -> HttpResponse:
    """Turn elder mode (larger type, more spacing, higher contrast) on or off, remembered in a
    cookie for a year and on the account when signed in."""
    enabled = request.POST.get("elder_mode") == "on"
    if request.user.is_authenticated:
        user_preferences_update(user=request.user, elder_mode=enabled)
    response = HttpResponseRedirect(safe_next(request, "/", referer=True))
    elder_mode_cookie_set(request, response, enabled=enabled)
    return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie), plus the account's preference when signed in."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_preferences_update(user=request.user, language=language)
    return response


# --- Rare-character picker ------------------------------------------------------------------

# A page of its own can be long; beside a form field the list stays short enough to see the
# rest of the form.
CHARACTERS_PER_PAGE = 96
CHARACTERS_PER_PICKER = 32


@require_safe
def characters(request: HttpRequest) -> HttpResponse:
    """Characters by pinyin or code point, for names the input method cannot type. A page of
    its own without JavaScript (copy the character); a fragment for the picker with it."""
    query = request.GET.get("q", "").strip()[:16]
    found = character_candidates(query) if query else []
    fragment = bool(request.GET.get("fragment"))
    per_page = CHARACTERS_PER_PICKER if fragment else CHARACTERS_PER_PAGE
    page = Paginator(found, per_page).get_page(request.GET.get("page"))
    template = "accounts/_characters.html" if fragment else None
    context = {"query": query, "page": page, "total": len(found)}
    return render(request, template or "accounts/characters.html", context)


@require_safe
def character_glyph(request: HttpRequest, code: str) -> HttpResponse:
    """One character drawn by the certificates' fonts, so a phone without the font still shows
    the learner what they pick. Same code point, same image: cached for a year."""
    png = character_png(code)
    if png is None:
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
