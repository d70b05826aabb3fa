from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from core.redirects import safe_next
from core.views import ELDER_MODE_COOKIE, ONE_YEAR

from .auth import request_user
from .forms import ProfileForm, SignupForm
from .models import User
from .selectors import user_roles
from .services import user_preferences_update, user_signup


def _remember_preferences(response: HttpResponse, user: User) -> HttpResponse:
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
        return _remember_preferences(response, form.get_user())


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:me")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_signup(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
            language=request.LANGUAGE_CODE,
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
        return _remember_preferences(redirect("accounts:me"), user)
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
    response.set_cookie(
        ELDER_MODE_COOKIE,
        "1" if enabled else "0",
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=False,
    )
    return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie), plus the account's preference when signed in."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_preferences_update(user=request.user, language=language)
    return response
