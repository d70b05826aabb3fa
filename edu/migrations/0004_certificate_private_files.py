"""Certificate files move to the private storage: no public URL, served by a view that
checks who asks. Files already rendered into the public media storage are moved across.

Not atomic: a transaction cannot take back files. Row by row, the files are copied, the row
is pointed at the copies, and only then are the old files deleted, so a failure half-way
leaves every row pointing at a file that exists, and running the migration again goes on
from there (a row whose files are no longer in the source storage is skipped)."""

from django.core.files.storage import storages
from django.db import migrations, models

import core.storage


def _move(apps, source_alias, target_alias):
    Certificate = apps.get_model("edu", "Certificate")
    source, target = storages[source_alias], storages[target_alias]
    for certificate in Certificate.objects.exclude(png="", pdf="").iterator():
        moved = {}  # field -> the old name, deleted once the row points at the copy
        try:
            for field in ("png", "pdf"):
                name = getattr(certificate, field).name
                if not name or not source.exists(name):
                    continue  # nothing to move, or moved by an earlier run
                with source.open(name, "rb") as handle:
                    new_name = target.save(name, handle)
                setattr(certificate, field, new_name)
                moved[field] = name
            if moved:
                certificate.save(update_fields=list(moved))
        except BaseException:
            for field in moved:  # the row still points at the old files: drop the copies
                target.delete(getattr(certificate, field).name)
            raise
        for name in moved.values():
            source.delete(name)


def to_private(apps, schema_editor):
    _move(apps, "default", "private")


def to_public(apps, schema_editor):
    _move(apps, "private", "default")


class Migration(migrations.Migration):
    atomic = False  # files are moved row by row (see the module's docstring)

    dependencies = [
        ("edu", "0003_reach_sources"),
    ]

    operations = [
        migrations.AlterField(
            model_name="certificate",
            name="pdf",
            field=models.FileField(
                blank=True, storage=core.storage.private_storage, upload_to="edu/certificates/"
            ),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="png",
            field=models.FileField(
                blank=True, storage=core.storage.private_storage, upload_to="edu/certificates/"
            ),
        ),
        migrations.RunPython(to_private, to_public),
    ]
