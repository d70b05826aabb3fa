from django.urls import path

from . import api

urlpatterns = [
    path("campaign-sessions", api.SessionLogSyncApi.as_view(), name="campaign-sessions"),
    path(
        "campaign-sessions/<uuid:client_uuid>",
        api.SessionLogDetailApi.as_view(),
        name="campaign-session-detail",
    ),
    path(
        "campaign-sessions/<uuid:client_uuid>/resubmit",
        api.SessionLogResubmitApi.as_view(),
        name="campaign-session-resubmit",
    ),
    path(
        "campaign-sessions/<uuid:client_uuid>/photos",
        api.SessionPhotoUploadApi.as_view(),
        name="campaign-session-photos",
    ),
]
