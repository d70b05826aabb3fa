from django.urls import path

from . import api

urlpatterns = [
    path("reach", api.ReachSummaryApi.as_view(), name="reach-summary"),
    path("reach/campaigns", api.CampaignReachApi.as_view(), name="reach-campaigns"),
]
