"""Campaigns: create one over counties, add counties, set goals, assign teams."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from core.audit import AuditAction
from core.services import audit_log_record
from regions.models import Level, Region

from ..models import (
    Assignment,
    Campaign,
    Team,
)


def counties_under(codes: Iterable[str]) -> list[Region]:
    """The counties of the given regions: a province or prefecture stands for all of its
    counties (direct children and children of its prefectures), a county for itself."""
    codes = list(codes)
    return list(
        Region.objects.filter(level=Level.COUNTY).filter(
            Q(code__in=codes) | Q(parent_id__in=codes) | Q(parent__parent_id__in=codes)
        )
    )


@transaction.atomic
def campaign_create(
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    region_codes: Iterable[str] = (),
    goal_sessions: int = 0,
    goal_people: int = 0,
    coordinators: Iterable[User] = (),
    description: str = "",
    by: User | None = None,
) -> Campaign:
    """Create a campaign over the counties of ``region_codes`` (whole provinces or
    prefectures at once). Atomic; audited."""
    campaign = Campaign.objects.create(
        name=name,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        goal_sessions=goal_sessions,
        goal_people=goal_people,
    )
    campaign.target_counties.set(counties_under(region_codes))
    campaign.coordinators.set(list(coordinators))
    audit_log_record(
        actor=by,
        action=AuditAction.CAMPAIGN_CREATED,
        target=campaign,
        data={"regions": list(region_codes)},
    )
    return campaign


@transaction.atomic
def campaign_counties_add(
    *, campaign: Campaign, region_codes: Iterable[str], by: User | None = None
) -> int:
    """Add the counties under ``region_codes`` to the targets. Returns how many counties the
    campaign targets now. Idempotent; audited."""
    codes = list(region_codes)
    campaign.target_counties.add(*counties_under(codes))
    audit_log_record(
        actor=by,
        action=AuditAction.CAMPAIGN_COUNTIES_ADDED,
        target=campaign,
        data={"regions": codes},
    )
    return campaign.target_counties.count()


@transaction.atomic
def campaign_goals_update(
    *, campaign: Campaign, goal_sessions: int, goal_people: int, by: User | None = None
) -> Campaign:
    """Change a campaign's goals. Atomic; audited with the figures before and after."""
    before = {"sessions": campaign.goal_sessions, "people": campaign.goal_people}
    campaign.goal_sessions, campaign.goal_people = goal_sessions, goal_people
    campaign.save(update_fields=["goal_sessions", "goal_people"])
    audit_log_record(
        actor=by,
        action=AuditAction.CAMPAIGN_GOALS_CHANGED,
        target=campaign,
        before=before,
        after={"sessions": goal_sessions, "people": goal_people},
    )
    return campaign


@transaction.atomic
def team_assign(
    *,
    campaign: Campaign,
    team_name: str,
    volunteer: User,
    county: Region | None = None,
    by: User | None = None,
) -> Assignment:
    """Put a volunteer in a team of the campaign (created if missing), defaulting their form
    to ``county``. Idempotent: assigning again updates the county. Audited when ``by`` is
    given (a coordinator's action)."""
    team, _ = Team.objects.get_or_create(campaign=campaign, name=team_name)
    if county is not None:
        team.counties.add(county)
    assignment, _ = Assignment.objects.update_or_create(
        team=team, volunteer=volunteer, defaults={"county": county}
    )
    if by is not None:
        audit_log_record(
            actor=by,
            action=AuditAction.CAMPAIGN_VOLUNTEER_ASSIGNED,
            target=campaign,
            data={"volunteer": volunteer.pk, "team": team.name, "county": county and county.code},
        )
    return assignment
