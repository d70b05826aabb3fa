"""Planned sessions: a volunteer's own, or a coordinator's for a volunteer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.audit import AuditAction
from core.services import audit_log_record
from regions.models import Level, Region

from ..models import (
    PLAN_MATCH_DAYS,
    PlannedSession,
)
from .errors import NotACounty, NotInCampaign, PlanNotAllowed
from .review import coordinator_of
from .session_logs import volunteer_in_campaign


@dataclass(frozen=True)
class PlanInput:
    campaign_id: int
    county_code: str
    planned_on: date
    venue_type: str
    venue_name: str
    expected_audience: int = 0


@transaction.atomic
def planned_session_create(*, by: User, volunteer: User, data: PlanInput) -> PlannedSession:
    """Plan a session for ``volunteer``: by the volunteer themself, or by a coordinator of
    the campaign (audited). The volunteer must be in the campaign; the county must be a
    county. Atomic. Raises NotInCampaign, PlanNotAllowed (a planner who is neither the
    volunteer nor a coordinator) or NotACounty."""
    if by.pk != volunteer.pk and not coordinator_of(user=by, campaign_id=data.campaign_id):
        raise PlanNotAllowed
    if not volunteer_in_campaign(volunteer=volunteer, campaign_id=data.campaign_id):
        raise NotInCampaign
    county = Region.objects.filter(code=data.county_code, level=Level.COUNTY).first()
    if county is None:
        raise NotACounty(data.county_code)
    plan = PlannedSession.objects.create(
        campaign_id=data.campaign_id,
        volunteer=volunteer,
        county=county,
        planned_on=data.planned_on,
        match_from=data.planned_on - timedelta(days=PLAN_MATCH_DAYS),
        match_until=data.planned_on + timedelta(days=PLAN_MATCH_DAYS),
        venue_type=data.venue_type,
        venue_name=data.venue_name.strip(),
        expected_audience=data.expected_audience,
        planned_by=by,
    )
    if by.pk != volunteer.pk:
        audit_log_record(
            actor=by,
            action=AuditAction.PLAN_CREATED,
            target=plan,
            data={"volunteer": volunteer.pk, "planned_on": plan.planned_on.isoformat()},
        )
    return plan


@transaction.atomic
def planned_session_cancel(*, plan_id: int, volunteer: User) -> PlannedSession | None:
    """Mark one of the volunteer's own plans as not held: no reminder follows. Idempotent;
    None when the plan is not theirs."""
    plan = (
        PlannedSession.objects.select_for_update().filter(pk=plan_id, volunteer=volunteer).first()
    )
    if plan is not None and plan.cancelled_at is None:
        plan.cancelled_at = timezone.now()
        plan.save(update_fields=["cancelled_at"])
    return plan
