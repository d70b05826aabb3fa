from django.contrib import admin

from .models import Preference, Reminder, SmsOutbox


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin[Reminder]):
    list_display = ["key", "kind", "user", "status", "due_at", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["key"]
    readonly_fields = ["key", "user", "kind", "context", "sent_at", "created_at"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin[Preference]):
    list_display = ["user", "email", "in_app", "sms", "weekly_summary"]


@admin.register(SmsOutbox)
class SmsOutboxAdmin(admin.ModelAdmin[SmsOutbox]):
    list_display = ["phone", "body", "created_at", "sent_at"]
