from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.demo import demo_seed


class Command(BaseCommand):
    help = "Load regions and demo content for every role, and print the demo logins. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="seed even with the production profile (demo passwords are public)",
        )

    def handle(self, *args: Any, allow_production: bool, **options: Any) -> None:
        if settings.SETTINGS_PROFILE == "production" and not allow_production:
            raise CommandError(
                "Refusing to create demo accounts with public passwords in "
                "production; pass --allow-production for a demo server."
            )
        for lines in demo_seed().values():
            for line in lines:
                self.stdout.write(line)
