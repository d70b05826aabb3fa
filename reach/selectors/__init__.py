"""Reads of reach statistics: the public and staff figures (``figures``) and the campaign
dashboards (``campaigns``), all from the summary tables the refresh keeps."""

from .campaigns import AreaRow, Dashboard, campaign_dashboard
from .figures import (
    AreaFigures,
    CampaignReach,
    CheckGroup,
    Figures,
    campaigns_reach,
    checks_by_county,
    checks_by_day,
    checks_by_group,
    job_runs_latest,
    reach_by_area,
    reach_figures_as_of,
    reach_totals,
)

__all__ = [
    "AreaFigures",
    "AreaRow",
    "CampaignReach",
    "CheckGroup",
    "Dashboard",
    "Figures",
    "campaign_dashboard",
    "campaigns_reach",
    "checks_by_county",
    "checks_by_day",
    "checks_by_group",
    "job_runs_latest",
    "reach_by_area",
    "reach_figures_as_of",
    "reach_totals",
]
