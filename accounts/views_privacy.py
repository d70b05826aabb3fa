"""Pages of the privacy notice and a person's own data: the notice, accepting a new version,
the optional choices, the copy of one's data (page and JSON file) and erasing the account."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.redirects import safe_next

from .auth import request_user
from .consents import (
    NOTICE_VERSION,
    OPTIONAL_PURPOSES,
    consent_choices_save,
    consent_set,
    consents_standing,
)
from .data_requests import account_erase, personal_data_export, personal_data_sources
from .forms import AccountDeleteForm, PrivacyChoicesForm
from .models import Purpose
from .readable import readable_groups


def notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice: the short version, then the full rules. Public."""
    return render(request, "accounts/privacy_notice.html", {"version": NOTICE_VERSION})


@login_required
def consent(request: HttpRequest) -> HttpResponse:
    """Accept the current notice: asked once per version (accounts.middleware)."""
    target = safe_next(request, "accounts:me")
    if request.method == "POST":
        consent_set(
            user=request_user(request), purpose=Purpose.NOTICE, given=True, source="consent_page"
        )
        return redirect(target)
    return render(
        request, "accounts/privacy_consent.html", {"version": NOTICE_VERSION, "next": target}
    )


def _is_volunteer(user: Any) -> bool:
    return bool(user.has_perm("accounts.log_field_sessions"))


@login_required
def choices(request: HttpRequest) -> HttpResponse:
    """The optional uses, each given or withdrawn on its own, as easily as given."""
    user = request_user(request)
    standing = consents_standing(user=user)
    initial = {p.value: p.value in standing for p in OPTIONAL_PURPOSES}
    form = PrivacyChoicesForm(request.POST or None, initial=initial, volunteer=_is_volunteer(user))
    if request.method == "POST" and form.is_valid():
        wanted = {Purpose(name): bool(value) for name, value in form.cleaned_data.items()}
        changed = consent_choices_save(user=user, choices=wanted, source="privacy_choices")
        messages.success(request, _("Saved.") if changed else _("Nothing changed."))
        return redirect("privacy:choices")
    history = user.consents.order_by("-given_at", "-id")[:50]
    return render(request, "accounts/privacy_choices.html", {"form": form, "history": history})


@login_required
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything we hold about the person, readable, with the JSON file's link."""
    user = request_user(request)
    data = personal_data_export(user=user)
    sections = [
        {"title": source.title, "name": source.name, "groups": readable_groups(data[source.name])}
        for source in personal_data_sources()
    ]
    return render(request, "accounts/my_data.html", {"sections": sections})


@login_required
@never_cache
def my_data_json(request: HttpRequest) -> HttpResponse:
    """The same as a machine-readable JSON file, downloaded."""
    user = request_user(request)
    body = json.dumps(personal_data_export(user=user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def delete(request: HttpRequest) -> HttpResponse:
    """Erase the account, after the person confirms with their password."""
    user = request_user(request)
    form = AccountDeleteForm(request.POST or None, user=user, request=request)
    if request.method == "POST" and form.is_valid():
        account_erase(user=user)
        logout(request)
        messages.success(
            request, _("Your account and your personal data have been deleted. Goodbye.")
        )
        return redirect("core:home")
    return render(request, "accounts/delete.html", {"form": form})
