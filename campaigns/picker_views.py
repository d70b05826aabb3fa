"""The search behind the coordinators' pickers: volunteers by name, regions by name or
code. JSON for the pickers' script; the forms work without it (campaigns/pickers.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from . import selectors

COORDINATE_PERM = "accounts.coordinate_campaigns"
KINDS = ("volunteers", "regions", "counties")


@require_GET
@login_required
@permission_required(COORDINATE_PERM, raise_exception=True)
def picker_search(request: HttpRequest, kind: str) -> JsonResponse:
    """``{"results": [{"value", "label"}]}``: ``value`` is what the picker puts in the field
    ("name（user name）" or "name（code）", which the forms read), ``label`` what the list
    shows. At most ten; nothing for an empty query."""
    query = request.GET.get("q", "")[:50]
    if kind == "volunteers":
        users = selectors.volunteers_search(query=query)
        results = [
            {
                "value": f"{u.shown_name}（{u.username}）",
                "label": u.username
                if u.shown_name == u.username
                else f"{u.shown_name} · {u.username}",
            }
            for u in users
        ]
    elif kind in KINDS:
        regions = selectors.regions_search(query=query, counties_only=kind == "counties")
        results = [
            {"value": f"{r.name}（{r.code}）", "label": selectors.region_label(r)} for r in regions
        ]
    else:
        return JsonResponse({"results": []}, status=404)
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response


def _person(shown: str, username: str) -> str:
    return username if shown == username else f"{shown} · {username}"
