"""In-app notifications, the unread count for the header, reminder preferences and
one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.auth import request_user

from .forms import PreferenceForm
from .models import Kind, Notification
from .services import notifications_mark_read, preference_of, preference_update, unsubscribe


@login_required
@never_cache
def notification_list(request: HttpRequest) -> HttpResponse:
    items = list(Notification.objects.filter(user=request_user(request))[:50])
    return render(request, "notifications/list.html", {"items": items})


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request_user(request))
    return redirect("notifications:list")


@never_cache
def unread_count(request: HttpRequest) -> JsonResponse:
    """For the header's small script; one query, nothing for anonymous visitors."""
    if not request.user.is_authenticated:
        return JsonResponse({"unread": 0})
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return JsonResponse({"unread": count})


@login_required
@never_cache
def preferences(request: HttpRequest) -> HttpResponse:
    """Which reminders a person gets and how; a plain form (no script needed)."""
    preference = preference_of(request_user(request))
    form = PreferenceForm(request.POST or None, initial=PreferenceForm.initial_of(preference))
    if request.method == "POST" and form.is_valid():
        preference_update(user=request_user(request), **form.cleaned_data)
        messages.success(request, _("Your reminder choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# Mail clients post the one-click unsubscribe (RFC 8058) without a CSRF token; the signed
# token is what authorises it.
@csrf_exempt
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        signing.loads(token, salt="notifications.unsubscribe")
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        _user, kind = unsubscribe(token=token)
        return render(
            request, "notifications/unsubscribe.html", {"done": True, "kind": Kind(kind).label}
        )
    kind = signing.loads(token, salt="notifications.unsubscribe")["k"]
    return render(request, "notifications/unsubscribe.html", {"kind": Kind(kind).label})
