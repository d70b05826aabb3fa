"""Certificate files move to the private storage: no public URL, served by a view that
checks who asks. Files already rendered into the public media storage are moved across."""

from django.core.files.storage import storages
from django.db import migrations, models

import core.storage


def _move(apps, source_alias, target_alias):
    Certificate = apps.get_model("edu", "Certificate")
    source, target = storages[source_alias], storages[target_alias]
    for certificate in Certificate.objects.exclude(png="", pdf="").iterator():
        changed = []
        for field in ("png", "pdf"):
            name = getattr(certificate, field).name
            if not name or not source.exists(name):
                continue
            with source.open(name, "rb") as handle:
                new_name = target.save(name, handle)
            source.delete(name)
            setattr(certificate, field, new_name)
            changed.append(field)
        if changed:
            certificate.save(update_fields=changed)


def to_private(apps, schema_editor):
    _move(apps, "default", "private")


def to_public(apps, schema_editor):
    _move(apps, "private", "default")


class Migration(migrations.Migration):
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
