"""The copy of a person's data as a readable page: the export's plain data laid out as
headed lists of labelled values, with labels in the reader's language."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .models import Purpose

_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

LABELS: dict[str, Any] = {
    "username": _("User name"),
    "name": _("Name"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("E-mail"),
    "language": _("Language"),
    "elder_mode": _("Elder mode"),
    "time_zone": _("Time zone"),
    "joined": _("Joined"),
    "last_sign_in": _("Last sign-in"),
    "roles": _("Roles"),
    "purpose": _("Purpose"),
    "notice_version": _("Notice version"),
    "given_at": _("Given"),
    "withdrawn_at": _("Withdrawn"),
    "enrolments": _("Courses started"),
    "course": _("Course code"),
    "course_title": _("Course"),
    "started_at": _("Started"),
    "last_seen_at": _("Last seen"),
    "completed_at": _("Completed"),
    "lessons_completed": _("Lessons completed"),
    "lesson": _("Lesson code"),
    "certificates": _("Certificates"),
    "serial": _("Serial"),
    "name_shown": _("Name shown"),
    "issued_at": _("Issued"),
    "revoked_at": _("Revoked"),
    "quiz": _("Quiz"),
    "score": _("Score"),
    "questions": _("Questions"),
    "answers": _("Answers given"),
    "finished_at": _("Finished"),
    "choices": _("Reminder choices"),
    "by_email": _("By e-mail"),
    "on_this_site": _("On this site"),
    "by_text_message": _("By text message"),
    "mobile_number": _("Mobile number"),
    "weekly_summary": _("Weekly summary"),
    "turned_off": _("Turned off"),
    "reminders": _("Reminders"),
    "kind": _("Kind"),
    "status": _("Status"),
    "due_at": _("Due"),
    "sent_at": _("Sent"),
    "notifications": _("Notifications"),
    "title": _("Title"),
    "text": _("Text"),
    "created_at": _("Created"),
    "read_at": _("Read"),
    "teams": _("Teams"),
    "campaign": _("Campaign"),
    "team": _("Team"),
    "campaigns_coordinated": _("Campaigns you coordinate"),
    "session_logs": _("Sessions you logged"),
    "county": _("County"),
    "held_on": _("Date"),
    "venue": _("Venue"),
    "attendees": _("Attendees"),
    "gps": _("GPS"),
    "photos": _("Photos"),
    "planned_sessions": _("Planned sessions"),
    "planned_on": _("Planned date"),
}


def label(key: str) -> str:
    return str(LABELS.get(key, key.replace("_", " ")))


def _value(value: Any, key: str = "") -> str:
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        moment = timezone.localtime(datetime.fromisoformat(value))
        return formats.date_format(moment, "DATETIME_FORMAT")
    if key == "purpose" and value in Purpose.values:
        return str(Purpose(value).label)
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass
class Group:
    title: str
    items: list[list[tuple[str, str]]] = field(default_factory=list)


def readable_groups(data: Any) -> list[Group]:
    """One section's data as groups of items, each item a list of (label, value)."""
    if isinstance(data, list):
        return [Group("", [_item(row) for row in data])]
    if not isinstance(data, dict):
        return [Group("", [[("", _value(data))]])]
    plain = {k: v for k, v in data.items() if not _is_collection(k, v)}
    groups = [Group("", [_item(plain)])] if plain else []
    for key, value in data.items():
        if _is_collection(key, value):
            rows = value if isinstance(value, list) else [value]
            groups.append(Group(label(key), [_item(row) for row in rows]))
    return groups


# Lists of words shown on one line, not as a group of their own.
_WORD_LISTS = frozenset({"roles", "turned_off", "campaigns_coordinated", "gps"})


def _is_collection(key: str, value: Any) -> bool:
    if isinstance(value, dict):
        return key != "answers"
    return isinstance(value, list) and key not in _WORD_LISTS


def _item(row: Any) -> list[tuple[str, str]]:
    if not isinstance(row, dict):
        return [("", _value(row))]
    return [(label(key), _value(value, key)) for key, value in row.items()]
