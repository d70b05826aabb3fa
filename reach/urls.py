from django.urls import path

from . import views

app_name = "reach"
urlpatterns = [
    path("", views.impact, name="impact"),
    path("overview/", views.overview, name="overview"),
]
