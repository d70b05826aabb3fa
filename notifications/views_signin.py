"""The pages of sign-in by an SMS code: give the phone, then the code from the text."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.signin import client_address
from accounts.views import remember_preferences
from core.redirects import safe_next

from .forms import SignInCodeForm, SignInPhoneForm
from .signin_codes import (
    phone_masked,
    sign_in_code_minutes,
    sign_in_code_send,
    sign_in_code_verify,
)

# The phone the code was asked for, between the two pages.
PHONE_KEY = "sign_in_code_phone"


def _enabled() -> None:
    if not settings.SIGN_IN_BY_SMS:
        raise Http404


@never_cache
def sign_in_code_request(request: HttpRequest) -> HttpResponse:
    """Ask for a code. Whatever the number, the next page says the same thing."""
    _enabled()
    target = safe_next(request, settings.LOGIN_REDIRECT_URL)
    if request.user.is_authenticated:
        return redirect(target)
    form = SignInPhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        sign_in_code_send(phone=phone, address=client_address(request))
        request.session[PHONE_KEY] = phone
        return redirect(f"{reverse('signin_code:enter')}?{urlencode({'next': target})}")
    return render(request, "notifications/signin_code_request.html", {"form": form, "next": target})


@never_cache
def sign_in_code_enter(request: HttpRequest) -> HttpResponse:
    """Type the code; the right one signs in and goes where the password login would."""
    _enabled()
    target = safe_next(request, settings.LOGIN_REDIRECT_URL)
    phone = request.session.get(PHONE_KEY)
    if not phone:
        return redirect("signin_code:request")
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = sign_in_code_verify(phone=phone, code=form.cleaned_data["code"])
        if user is not None:
            del request.session[PHONE_KEY]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # As the password sign-in does: the account's language and elder mode follow.
            return remember_preferences(redirect(target), user)
        form.add_error(
            "code",
            _("That code does not work. Check the newest text message, or ask for a new code."),
        )
    context = {
        "form": form,
        "next": target,
        "phone": phone_masked(phone),
        "minutes": sign_in_code_minutes(),
    }
    return render(request, "notifications/signin_code_enter.html", context)
