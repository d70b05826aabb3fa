from django.urls import path

from . import api

urlpatterns = [
    path("regions/", api.RegionListApi.as_view(), name="regions-list"),
    path("regions/<str:code>/", api.RegionDetailApi.as_view(), name="regions-detail"),
]
