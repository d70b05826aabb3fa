"""Channels behind one interface: ``send(items)``.

A channel is *remote* when sending talks to another server (email through Django's mail
API; an SMS gateway): the caller then sends outside any transaction, one reminder at a time.
The others write rows in the caller's transaction, a whole batch at once (in-app
notifications; SMS through the default adapter, which writes to the outbox table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from .models import Channel, Notification, Preference, Reminder, SmsOutbox


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    url: str
    unsubscribe_url: str


@dataclass(frozen=True)
class Outgoing:
    """One reminder to send: what it says and its person's choices."""

    reminder: Reminder
    message: Message
    preference: Preference


class ChannelBackend(Protocol):
    name: str

    @property
    def remote(self) -> bool: ...

    def wanted(self, preference: Preference) -> bool: ...

    def send(self, items: Sequence[Outgoing]) -> None: ...


class EmailChannel:
    name: str = Channel.EMAIL
    remote: bool = True

    def wanted(self, preference: Preference) -> bool:
        return preference.email and bool(preference.user.email)

    def send(self, items: Sequence[Outgoing]) -> None:
        for item in items:
            message = item.message
            EmailMessage(
                subject=message.subject,
                body=f"{message.body}\n\n{message.url}\n\n{message.unsubscribe_url}",
                to=[item.preference.user.email],
                headers={
                    # The key makes a resend after a crash recognisable as the same message.
                    "Message-ID": f"<{item.reminder.key.replace(':', '.')}@anquan.reminders>",
                    "List-Unsubscribe": f"<{message.unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            ).send()


class InAppChannel:
    name: str = Channel.IN_APP
    remote: bool = False

    def wanted(self, preference: Preference) -> bool:
        return preference.in_app

    def send(self, items: Sequence[Outgoing]) -> None:
        Notification.objects.bulk_create(
            Notification(
                user_id=item.reminder.user_id,
                reminder=item.reminder,
                title=item.message.subject,
                body=item.message.body,
                url=item.message.url,
            )
            for item in items
        )


@dataclass(frozen=True)
class SmsText:
    """One text to send. ``reminder`` is None for a text that is no reminder (a sign-in
    code, notifications/signin_codes.py)."""

    reminder: Reminder | None
    phone: str
    text: str


class SmsAdapter(Protocol):
    """An SMS gateway (``REMINDERS_SMS_ADAPTER``). ``remote``: it calls another server, so
    it is called outside any transaction, one text at a time."""

    remote: bool

    def send(self, texts: Sequence[SmsText]) -> None: ...


def sms_adapter() -> SmsAdapter:
    """The configured SMS gateway adapter (``REMINDERS_SMS_ADAPTER``)."""
    adapter: SmsAdapter = import_string(settings.REMINDERS_SMS_ADAPTER)()
    return adapter


class OutboxSmsAdapter:
    """The default SMS gateway adapter: the message waits in the outbox table."""

    remote: bool = False

    def send(self, texts: Sequence[SmsText]) -> None:
        SmsOutbox.objects.bulk_create(
            SmsOutbox(reminder=t.reminder, phone=t.phone, body=t.text[:500]) for t in texts
        )


class SmsChannel:
    name: str = Channel.SMS

    @staticmethod
    def _adapter() -> SmsAdapter:
        return sms_adapter()

    @property
    def remote(self) -> bool:
        return self._adapter().remote

    def wanted(self, preference: Preference) -> bool:
        return preference.sms and bool(preference.phone)

    def send(self, items: Sequence[Outgoing]) -> None:
        self._adapter().send(
            [SmsText(i.reminder, i.preference.phone, i.message.subject) for i in items]
        )


CHANNELS: list[ChannelBackend] = [InAppChannel(), SmsChannel(), EmailChannel()]
