"""What a coordinator typed in a picker, read as the volunteer or regions it names.

The pickers' script fills a field with "name（user name）" or "name（code）"; without the
script a coordinator types a user name, a shown name, a region code or a region's name.
Each reader accepts all of these and says plainly when a name fits several."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _

from accounts.models import User
from regions.models import Level, Region

from .selectors import VOLUNTEER_PERM, region_label

_IN_BRACKETS = re.compile(r"[（(]\s*([^()（）]+?)\s*[)）]\s*$")
_CODE = re.compile(r"\d{6}")
# Between regions in one field: spaces, commas, the ideographic comma and semicolons.
_BETWEEN = re.compile(r"[\s,;，；、]+")


def _may_log(user: User) -> bool:
    return user.has_perm(".".join(VOLUNTEER_PERM))


def volunteer_from_text(text: str) -> User:
    """The volunteer named by ``text``. Raises forms.ValidationError."""
    text = text.strip()
    inner = _IN_BRACKETS.search(text)
    wanted = inner.group(1) if inner else text
    user = User.objects.filter(username=wanted, is_active=True).first()
    if user is None and not inner:
        namesakes = [u for u in User.objects.filter(display_name=text, is_active=True)[:5]]
        namesakes = [u for u in namesakes if _may_log(u)]
        if len(namesakes) > 1:
            raise forms.ValidationError(
                _("Several volunteers are called %(name)s: %(which)s. Choose one by user name.")
                % {"name": text, "which": "、".join(u.username for u in namesakes)}
            )
        user = namesakes[0] if namesakes else None
    if user is None or not _may_log(user):
        raise forms.ValidationError(_("No volunteer has this name or user name."))
    return user


def regions_from_text(text: str, *, counties_only: bool = False) -> list[Region]:
    """The regions named in ``text`` (codes, names, or "name（code）"), in order. Raises
    forms.ValidationError naming what is unknown or ambiguous."""
    tokens = [t for t in _split(text) if t]
    codes = {t: m.group(0) for t in tokens if (m := _CODE.search(t))}
    names = [t for t in tokens if t not in codes]
    found = {r.code: r for r in Region.objects.filter(code__in=codes.values())}
    by_name: dict[str, list[Region]] = {}
    if names:
        for region in Region.objects.filter(name__in=names).select_related("parent"):
            by_name.setdefault(region.name, []).append(region)
    unknown: list[str] = []
    ambiguous: list[str] = []
    regions: list[Region] = []
    for token in tokens:
        if token in codes:
            coded = found.get(codes[token])
            candidates = [coded] if coded else []
        else:
            candidates = by_name.get(token, [])
        if counties_only:
            candidates = [r for r in candidates if r.level == Level.COUNTY]
        if not candidates:
            unknown.append(token)
        elif len(candidates) > 1:
            ambiguous.append("、".join(region_label(r) for r in candidates))
        else:
            regions.append(candidates[0])
    errors = []
    if unknown:
        message = (
            _("No county or district is called or coded %(what)s.")
            if counties_only
            else _("Unknown regions: %(what)s.")
        )
        errors.append(message % {"what": " ".join(unknown)})
    if ambiguous:
        errors.append(
            _("Several regions have this name: %(which)s. Give the code of the one you mean.")
            % {"which": "；".join(ambiguous)}
        )
    if errors:
        raise forms.ValidationError(errors)
    return regions


def _split(text: str) -> list[str]:
    """Tokens of a field, keeping "name（code）" together even with spaces inside."""
    text = re.sub(r"\s*([（(])\s*", r"\1", text)
    text = re.sub(r"\s*([)）])", r"\1", text)
    return _BETWEEN.split(text.strip())
