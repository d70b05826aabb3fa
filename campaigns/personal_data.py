"""What campaigns hold about a volunteer or coordinator (accounts.data_requests).

A volunteer who leaves keeps the programme's records: their session logs stay as they are
(counties, dates, attendees, photos: the figures and the review history), attached to the
now anonymous account, so the logs no longer name them. Their GPS points are removed from
those logs (where they were), and their team places, plans and coordinator roles go."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.data_requests import PersonalDataSource
from accounts.models import User
from core.storage import stored_files_delete_on_commit

from .models import Assignment, Campaign, Export, PlannedSession, SessionLog


def field_work_export(user: User) -> dict[str, Any]:
    return {
        "teams": [
            {"campaign": a.team.campaign.name, "team": a.team.name}
            for a in Assignment.objects.filter(volunteer=user).select_related("team__campaign")
        ],
        "campaigns_coordinated": list(
            Campaign.objects.filter(coordinators=user).values_list("name", flat=True)
        ),
        "session_logs": [
            {
                "campaign": log.campaign.name,
                "county": log.county_id,
                "held_on": log.held_on.isoformat(),
                "venue": log.venue_name,
                "attendees": log.attendees_total,
                "status": log.status,
                "gps": [str(log.latitude), str(log.longitude)]
                if log.latitude is not None
                else None,
                "photos": log.photo_count,  # annotated below
            }
            for log in SessionLog.objects.filter(volunteer=user)
            .select_related("campaign")
            .annotate(photo_count=Count("photos"))
        ],
        "planned_sessions": [
            {
                "campaign": p.campaign.name,
                "planned_on": p.planned_on.isoformat(),
                "venue": p.venue_name,
            }
            for p in PlannedSession.objects.filter(volunteer=user).select_related("campaign")
        ],
    }


def field_work_erase(user: User) -> dict[str, int]:
    gps = SessionLog.objects.filter(volunteer=user, latitude__isnull=False).update(
        gps_consent=False, latitude=None, longitude=None
    )
    coordinated = Campaign.coordinators.through.objects.filter(user=user).delete()[0]
    # Exports list volunteers by name: those of the volunteer's campaigns go (a coordinator
    # makes a new one in a minute, without the name).
    exports = list(Export.objects.filter(campaign__sessions__volunteer=user).distinct())
    stored_files_delete_on_commit(*[export.file for export in exports])
    Export.objects.filter(pk__in=[export.pk for export in exports]).delete()
    return {
        "gps_points": gps,
        "team_places": Assignment.objects.filter(volunteer=user).delete()[0],
        "planned_sessions": PlannedSession.objects.filter(volunteer=user).delete()[0],
        "coordinator_places": coordinated,
        "exports": len(exports),
        "session_logs_kept": SessionLog.objects.filter(volunteer=user).count(),
    }


SOURCE = PersonalDataSource(
    name="field_work",
    title=_("Your field work"),
    export=field_work_export,
    erase=field_work_erase,
    models=(
        "campaigns.Assignment",
        "campaigns.SessionLog",
        "campaigns.PlannedSession",
        "campaigns.Campaign",
        "campaigns.Export",
    ),
)
