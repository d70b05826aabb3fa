"""Pages of figures that sit beside the pages of the app they describe, mounted by
config/urls.py at the paths they always had (/quizzes/figures/, /campaigns/<id>/)."""

from django.urls import path

from . import views

app_name = "figures"
urlpatterns = [
    path("quizzes/figures/", views.check_figures, name="checks"),
    path("campaigns/<int:campaign_id>/", views.campaign_dashboard, name="campaign"),
]
