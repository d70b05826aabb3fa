from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EduConfig(AppConfig):
    name = "edu"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .services import guest_progress_merge

        def merge_guest_progress(sender: object, request: object, user: object, **kw: object):
            # Sign-up and sign-in both log in: a guest's reading follows them into the
            # account. The rule lives in the service; this only wires Django's login hook.
            session = getattr(request, "session", None)
            if session is not None:
                guest_progress_merge(user=user, session=session)

        user_logged_in.connect(
            merge_guest_progress, weak=False, dispatch_uid="edu.merge_guest_progress"
        )
