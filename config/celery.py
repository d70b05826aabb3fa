"""The Celery app: settings from Django (``CELERY_*``), tasks discovered in every app."""

import os

from celery import Celery

# A server process never falls back to the dev profile (its secret key is public): without
# an explicit DJANGO_SETTINGS_MODULE it is production, which refuses to start unconfigured.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("anquan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _ensure_filesystem_broker_folders(sender: Celery, **kwargs: object) -> None:
    # The embedded file-system broker needs its folders before the first message.
    options = sender.conf.broker_transport_options or {}
    if str(sender.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            if options.get(key):
                os.makedirs(options[key], exist_ok=True)
