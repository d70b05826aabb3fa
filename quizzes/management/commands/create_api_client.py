"""``manage.py create_api_client NAME --webhook-url URL --return-url URL --scopes …``

Prints the API key and webhook secret once; only the key's hash is stored."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from quizzes.models import ApiClient, Scope
from quizzes.services import UnsafeReturnUrl, api_client_create
from quizzes.webhooks import UnsafeWebhookUrl


class Command(BaseCommand):
    help = "Create an API client for a payment platform's risk system; prints its key once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--webhook-url", default="", help="where outcomes are POSTed")
        parser.add_argument(
            "--return-url",
            action="append",
            default=[],
            dest="return_urls",
            help="a URL the quiz's end screens may link back to (https or the app's own "
            "scheme); repeat for several. A create call's return_url must be one of them.",
        )
        parser.add_argument(
            "--scopes",
            nargs="+",
            choices=Scope.values,
            default=Scope.values,
            help="default: all of them",
        )
        parser.add_argument("--rate-limit", type=int, default=600, help="requests per minute")
        parser.add_argument("--json", action="store_true", help="print a JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if ApiClient.objects.filter(name=options["name"]).exists():
            raise CommandError(f"A client named {options['name']!r} exists already.")
        try:
            new = api_client_create(
                name=options["name"],
                scopes=options["scopes"],
                webhook_url=options["webhook_url"],
                return_urls=options["return_urls"],
                rate_limit_per_minute=options["rate_limit"],
            )
        except UnsafeWebhookUrl as error:
            raise CommandError(f"Webhook URL refused: {error}") from error
        except UnsafeReturnUrl as error:
            raise CommandError(f"Return URL refused: {error}") from error
        except IntegrityError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "name": new.client.name,
                        "api_key": new.api_key,
                        "key_prefix": new.client.key_prefix,
                        "webhook_secret": new.webhook_secret,
                        "scopes": new.client.scopes,
                        "return_urls": new.client.return_urls,
                    }
                )
            )
            return
        self.stdout.write(f"Client:         {new.client.name}")
        self.stdout.write(f"Scopes:         {' '.join(new.client.scopes)}")
        for url in new.client.return_urls:
            self.stdout.write(f"Return URL:     {url}")
        self.stdout.write(f"API key:        {new.api_key}")
        self.stdout.write(f"Webhook secret: {new.webhook_secret}")
        self.stdout.write("Store both now: they are shown only this once.")
