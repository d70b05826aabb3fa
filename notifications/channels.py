"""Channels behind one interface: ``send(reminder, message)``.

Email goes through Django's mail API; in-app notifications and SMS are rows written in the
caller's transaction (SMS through an adapter whose default writes to the outbox table)."""

from __future__ import annotations

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


class ChannelBackend(Protocol):
    name: str

    def wanted(self, preference: Preference) -> bool: ...

    def send(self, reminder: Reminder, message: Message, preference: Preference) -> None: ...


class EmailChannel:
    name: str = Channel.EMAIL

    def wanted(self, preference: Preference) -> bool:
        return preference.email and bool(preference.user.email)

    def send(self, reminder: Reminder, message: Message, preference: Preference) -> None:
        email = EmailMessage(
            subject=message.subject,
            body=f"{message.body}\n\n{message.url}\n\n{message.unsubscribe_url}",
            to=[preference.user.email],
            headers={
                # The key makes a resend after a crash recognisable as the same message.
                "Message-ID": f"<{reminder.key.replace(':', '.')}@anquan.reminders>",
                "List-Unsubscribe": f"<{message.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        email.send()


class InAppChannel:
    name: str = Channel.IN_APP

    def wanted(self, preference: Preference) -> bool:
        return preference.in_app

    def send(self, reminder: Reminder, message: Message, preference: Preference) -> None:
        Notification.objects.create(
            user_id=reminder.user_id,
            reminder=reminder,
            title=message.subject,
            body=message.body,
            url=message.url,
        )


class OutboxSmsAdapter:
    """The default SMS gateway adapter: the message waits in the outbox table."""

    def send(self, *, reminder: Reminder, phone: str, text: str) -> None:
        SmsOutbox.objects.create(reminder=reminder, phone=phone, body=text[:500])


class SmsChannel:
    name: str = Channel.SMS

    def wanted(self, preference: Preference) -> bool:
        return preference.sms and bool(preference.phone)

    def send(self, reminder: Reminder, message: Message, preference: Preference) -> None:
        adapter = import_string(settings.REMINDERS_SMS_ADAPTER)()
        adapter.send(reminder=reminder, phone=preference.phone, text=message.subject)


# Database channels first: if email fails, the others are already in the same transaction
# and roll back with it, so a retry sends all three exactly once.
CHANNELS: list[ChannelBackend] = [InAppChannel(), SmsChannel(), EmailChannel()]
