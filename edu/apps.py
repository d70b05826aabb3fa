from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EduConfig(AppConfig):
    name = "edu"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from accounts.data_requests import personal_data_source_register

        from .personal_data import SOURCE

        # A person's copy of their data and its erasure (accounts is the lower layer).
        personal_data_source_register(SOURCE)

        from quizzes.recommendations import course_finder_register

        from .selectors import recommended_course

        # The question bank's result pages recommend our courses (quizzes is the lower layer).
        course_finder_register(recommended_course)

        from django.contrib.auth.signals import user_logged_in

        from .services import guest_progress_merge

        def merge_guest_progress(
            sender: object, request: object, user: object, **kw: object
        ) -> None:
            # Sign-up and sign-in both log in: a guest's reading follows them into the
            # account. The rule lives in the service; this only wires Django's login hook.
            session = getattr(request, "session", None)
            if session is not None:
                guest_progress_merge(user=user, session=session)

        user_logged_in.connect(
            merge_guest_progress, weak=False, dispatch_uid="edu.merge_guest_progress"
        )

        from django.db.models.signals import post_delete

        from .models import LessonImage

        def release_image_files(sender: object, instance: LessonImage, **kw: object) -> None:
            # However a lesson image row goes (the admin, a published draft dropping it, a
            # discarded draft, a deleted lesson), its files follow it after the commit.
            from .images import lesson_image_files_release

            lesson_image_files_release(image=instance)

        post_delete.connect(
            release_image_files, sender=LessonImage, weak=False, dispatch_uid="edu.image_files"
        )
