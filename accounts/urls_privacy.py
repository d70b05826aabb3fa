"""The privacy notice and a person's choices under it: mounted at /privacy/."""

from django.urls import path

from . import views_privacy

app_name = "privacy"
urlpatterns = [
    path("", views_privacy.notice, name="notice"),
    path("consent/", views_privacy.consent, name="consent"),
    path("choices/", views_privacy.choices, name="choices"),
]
