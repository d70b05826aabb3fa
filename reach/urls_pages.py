"""Pages of figures that sit beside the pages of the app they describe, mounted by
config/urls.py at the paths they always had (/quizzes/figures/, /campaigns/<id>/)."""

from django.urls import path

from . import views

app_name = "figures"
urlpatterns = [
    path("quizzes/figures/", views.check_figures, name="checks"),
    path("quizzes/figures/review/", views.figures_review, name="review"),
    path(
        "quizzes/figures/review/checks/<uuid:check_id>/confirm/",
        views.figures_amount_confirm,
        name="amount-confirm",
    ),
    path(
        "quizzes/figures/review/clients/<int:client_id>/",
        views.figures_client,
        name="client",
    ),
    path("campaigns/<int:campaign_id>/", views.campaign_dashboard, name="campaign"),
]
