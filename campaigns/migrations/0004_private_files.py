"""Session photos (uploads, re-encoded images, thumbnails) and background exports move to
the private storage: sign-in sheets show villagers' names and faces, exports list
volunteers' names. They get no public URL and are served by views that check who asks.
Files already in the public media storage are moved across.

Not atomic: a transaction cannot take back files. Row by row, the files are copied, the row
is pointed at the copies, and only then are the old files deleted, so a failure half-way
leaves every row pointing at a file that exists, and running the migration again goes on
from there: a file already in the target storage under the row's name is not copied again
(only its old copy is deleted), and a row whose files are in neither storage is skipped."""

from django.core.files.storage import storages
from django.db import migrations, models

import campaigns.models
import core.storage

FIELDS = {"SessionPhoto": ("upload", "image", "thumbnail"), "Export": ("file",)}


def _move(apps, source_alias, target_alias):
    source, target = storages[source_alias], storages[target_alias]
    for model_name, fields in FIELDS.items():
        model = apps.get_model("campaigns", model_name)
        rows = model.objects.exclude(**{field: "" for field in fields}).order_by("pk")
        for row in rows.iterator():
            copied = {}  # field -> the old name, deleted once the row points at the copy
            left_over = []  # old copies of files an earlier run moved already
            try:
                for field in fields:
                    name = getattr(row, field).name
                    if not name or not source.exists(name):
                        continue  # nothing to move, or moved by an earlier run
                    if target.exists(name):
                        left_over.append(name)  # copied before a failure: only delete
                        continue
                    with source.open(name, "rb") as handle:
                        new_name = target.save(name, handle)
                    setattr(row, field, new_name)
                    copied[field] = name
                if copied:
                    row.save(update_fields=list(copied))
            except BaseException:
                for field in copied:  # the row still points at the old files: drop the copies
                    target.delete(getattr(row, field).name)
                raise
            for name in [*copied.values(), *left_over]:
                source.delete(name)


def to_private(apps, schema_editor):
    _move(apps, "default", "private")


def to_public(apps, schema_editor):
    _move(apps, "private", "default")


def _private_file(**kwargs):
    return models.FileField(blank=True, storage=core.storage.private_storage, **kwargs)


class Migration(migrations.Migration):
    atomic = False  # files are moved row by row (see the module's docstring)

    dependencies = [
        ("campaigns", "0003_planned_sessions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="export",
            name="file",
            field=_private_file(max_length=255, upload_to="", verbose_name="file"),
        ),
        migrations.AlterField(
            model_name="sessionphoto",
            name="image",
            field=_private_file(max_length=255, upload_to="", verbose_name="image"),
        ),
        migrations.AlterField(
            model_name="sessionphoto",
            name="thumbnail",
            field=_private_file(max_length=255, upload_to="", verbose_name="thumbnail"),
        ),
        migrations.AlterField(
            model_name="sessionphoto",
            name="upload",
            field=_private_file(
                upload_to=campaigns.models._upload_to, verbose_name="upload as received"
            ),
        ),
        migrations.RunPython(to_private, to_public),
    ]
