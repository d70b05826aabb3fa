from django.urls import path

from . import check_views, views

app_name = "quizzes"

urlpatterns = [
    # The hosted transfer-check quiz (short, for a payment app's web view).
    path("t/<str:token>/", check_views.check_quiz, name="check"),
    path("t/<str:token>/answer", check_views.check_answer, name="check-answer"),
    path("t/<str:token>/decide", check_views.check_decide, name="check-decide"),
    path("t/<str:token>/elder-mode", check_views.check_elder_mode, name="check-elder-mode"),
    # The earlier flow's addresses, for a screen opened before it changed.
    path("t/<str:token>/start", check_views.check_moved),
    path("t/<str:token>/feedback/<int:number>/", check_views.check_moved),
    path("t/<str:token>/done/", check_views.check_moved),
    # Learners' self-tests.
    path("quizzes/", views.quiz_list, name="list"),
    path("quizzes/<slug:slug>/start", views.quiz_start, name="start"),
    path("quizzes/attempts/<uuid:attempt_id>/", views.attempt_question, name="attempt"),
    path("quizzes/attempts/<uuid:attempt_id>/answer", views.attempt_answer, name="attempt-answer"),
    path(
        "quizzes/attempts/<uuid:attempt_id>/feedback/<int:number>/",
        views.attempt_feedback,
        name="attempt-feedback",
    ),
    path("quizzes/attempts/<uuid:attempt_id>/result/", views.attempt_result, name="attempt-result"),
]
