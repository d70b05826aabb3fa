from django.urls import path

from . import api

urlpatterns = [
    path("transfer-checks", api.TransferCheckCreateApi.as_view(), name="transfer-checks-create"),
    path(
        "transfer-checks/<str:check_id>",
        api.TransferCheckDetailApi.as_view(),
        name="transfer-checks-detail",
    ),
    path(
        "transfer-checks/<str:check_id>/resolution",
        api.TransferCheckResolutionApi.as_view(),
        name="transfer-checks-resolution",
    ),
]
