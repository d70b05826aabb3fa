"""A mail server that takes its time: Django's in-memory test backend, which calls
``WatchingBackend.during_send`` while each message is being sent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from django.core.mail import EmailMessage
from django.core.mail.backends import locmem


class WatchingBackend(locmem.EmailBackend):
    during_send: ClassVar[Callable[[], None] | None] = None

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if WatchingBackend.during_send is not None:
            WatchingBackend.during_send()
        return super().send_messages(messages)
