from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    # The hosted transfer-check quiz (short, for a payment app's web view).
    path("t/<str:token>/", views.check_quiz, name="check"),
    path("t/<str:token>/start", views.check_start, name="check-start"),
    path("t/<str:token>/answer", views.check_answer, name="check-answer"),
    path("t/<str:token>/feedback/<int:number>/", views.check_feedback, name="check-feedback"),
    path("t/<str:token>/decide", views.check_decide, name="check-decide"),
    path("t/<str:token>/done/", views.check_done, name="check-done"),
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
