from typing import Any

from django.core.management.base import BaseCommand

from core.hant_catalogue import catalogue_hant_build


class Command(BaseCommand):
    help = (
        "Write the zh-hant catalogue (locale/zh_Hant/LC_MESSAGES/*.po) from zh_Hans with "
        "OpenCC and the reviewed overrides; compile it afterwards (compilemessages)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = catalogue_hant_build()
        for msgid in result.stale:
            self.stderr.write(f"overrides.toml: no message has this msgid any more: {msgid!r}")
        self.stdout.write(
            f"zh-hant: {result.messages} messages ({result.overridden} overridden) in "
            + ", ".join(str(p) for p in result.written)
        )
