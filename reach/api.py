"""Read-only API over the summary tables. Thin views: validate the query, read, answer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import Strict, StrictCharField, StrictDateField
from regions.models import Region

from . import selectors
from .models import CheckBreakdownDaily
from .selectors import Figures

AGE_BAND = CheckBreakdownDaily.Dimension.AGE_BAND
SCAM_TYPE = CheckBreakdownDaily.Dimension.SCAM_TYPE


class CanViewReach(BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return bool(request.user and request.user.has_perm("accounts.view_reach_statistics"))


class ReachFiguresOutput(serializers.Serializer[Any]):
    person_times = serializers.IntegerField()
    sessions = serializers.IntegerField()
    counties_reached = serializers.IntegerField()
    attendees = serializers.DictField(child=serializers.IntegerField())
    attendees_total = serializers.IntegerField()
    learners_active = serializers.IntegerField(
        help_text="Learner-days: learners who completed a lesson, summed over days."
    )
    lessons_completed = serializers.IntegerField()
    courses_completed = serializers.IntegerField()
    certificates_issued = serializers.IntegerField()
    checks_shown = serializers.IntegerField()
    checks_heeded = serializers.IntegerField()
    checks_proceeded = serializers.IntegerField()
    heeding_rate = serializers.FloatField(
        allow_null=True, help_text="heeded ÷ (heeded + proceeded)"
    )
    protected_funds = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="CNY")


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        **figures.values,
        "counties_reached": figures.counties_reached,
        "attendees": dict(figures.audiences),
        "heeding_rate": figures.heeding_rate,
    }


class CheckGroupOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text='age band or scam-type code; "" when not given')
    name = serializers.CharField()
    checks_shown = serializers.IntegerField()
    checks_heeded = serializers.IntegerField()
    checks_proceeded = serializers.IntegerField()
    heeding_rate = serializers.FloatField(
        allow_null=True, help_text="heeded ÷ (heeded + proceeded)"
    )
    protected_funds = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="CNY")


class ReachAreaOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    figures = ReachFiguresOutput()


class ReachSummaryApi(APIView):
    """Reach figures of the nation or one area over a period, and split by the next level
    down (provinces, prefectures or counties; code "" is online learning and checks
    without a county), and the transfer checks' heeding rate and protected funds by age
    band and by scam type. Public: anyone gets exactly the figures the impact page publishes;
    the breakdowns by age band and scam type, like the staff overview, need the permission to
    view reach statistics."""

    permission_classes = [AllowAny]

    class ReachSummaryInput(Strict):
        area = StrictCharField(required=False, max_length=6, help_text="region code")
        start = StrictDateField(required=False)
        end = StrictDateField(required=False)

        def validate_area(self, code: str) -> Region:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise serializers.ValidationError(_("There is no region with this code."))
            return region

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            if data.get("start") and data.get("end") and data["end"] < data["start"]:
                raise serializers.ValidationError(_("The end of the period is before its start."))
            return data

    class ReachSummaryOutput(serializers.Serializer[Any]):
        area = serializers.CharField(allow_null=True)
        start = serializers.DateField(allow_null=True)
        end = serializers.DateField(allow_null=True)
        totals = ReachFiguresOutput()
        areas = ReachAreaOutput(many=True)
        by_age_band = CheckGroupOutput(
            many=True,
            required=False,
            help_text="each check once; only for users allowed to view reach statistics",
        )
        by_scam_type = CheckGroupOutput(
            many=True,
            required=False,
            help_text="a check naming several scam types is counted under each of them; only "
            "for users allowed to view reach statistics",
        )

    @extend_schema(
        operation_id="reach_summary",
        parameters=[ReachSummaryInput],
        responses=ReachSummaryOutput,
    )
    def get(self, request: Request) -> Response:
        query = self.ReachSummaryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {
            "area": query.validated_data.get("area"),
            "start": query.validated_data.get("start"),
            "end": query.validated_data.get("end"),
        }
        totals = selectors.reach_totals(**filters)
        areas = selectors.reach_by_area(**filters)
        body = {
            "area": filters["area"].code if filters["area"] else None,
            "start": filters["start"],
            "end": filters["end"],
            "totals": _figures(totals),
            "areas": [
                {"code": a.code, "name": a.name, "figures": _figures(a.figures)} for a in areas
            ],
        }
        if CanViewReach().has_permission(request, self):
            body["by_age_band"] = selectors.checks_by_group(dimension=AGE_BAND, **filters)
            body["by_scam_type"] = selectors.checks_by_group(dimension=SCAM_TYPE, **filters)
        return Response(self.ReachSummaryOutput(body).data)


class CampaignReachApi(APIView):
    """Approved sessions, attendees and coverage of target counties of every campaign."""

    permission_classes = [IsAuthenticated, CanViewReach]

    class CampaignReachOutput(serializers.Serializer[Any]):
        campaign = serializers.IntegerField(source="campaign.pk")
        name = serializers.CharField(source="campaign.name")
        sessions = serializers.IntegerField(source="figures.sessions")
        attendees_total = serializers.IntegerField(source="figures.attendees_total")
        target_counties = serializers.IntegerField(source="targets")
        counties_reached = serializers.IntegerField(source="reached")
        coverage_percent = serializers.IntegerField()

    @extend_schema(operation_id="reach_campaigns_list", responses=CampaignReachOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.CampaignReachOutput(selectors.campaigns_reach(), many=True).data)
