"""The committed migrations describe the models as they are."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db  # makemigrations checks the applied history against the database
def test_no_model_change_is_missing_its_migration():
    # Given the models and migrations of every installed app
    out = StringIO()

    # When makemigrations looks for changes (--check: exit 1 on any; --dry-run: write nothing)
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(
            "A model changed without a migration; run `python manage.py makemigrations`:\n"
            + out.getvalue()
        )

    # Then there is nothing to write
    assert "No changes detected" in out.getvalue()
