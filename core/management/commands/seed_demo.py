from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Load regions and demo content for every role, and print the demo logins. Idempotent."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="seed even with the production profile (demo passwords are public)",
        )

    def handle(self, *args, allow_production: bool, **options):  # type: ignore[no-untyped-def]
        if settings.SETTINGS_PROFILE == "production" and not allow_production:
            raise CommandError(
                "Refusing to create demo accounts with public passwords in "
                "production; pass --allow-production for a demo server."
            )
        result = demo_seed()
        regions = result["regions"]
        self.stdout.write(
            _("Regions: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % regions
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD}
            )
        )
        for demo in result["users"]:
            roles = ", ".join(str(role.label) for role in demo.roles)
            self.stdout.write(f"  {demo.username:<12} {demo.display_name}  [{roles}]")
