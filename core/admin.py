from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import AuditLog, JobRun


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """For tables written only by code (commands, services): browse, never edit by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Append-only, for everyone."""

    list_display = ["created_at", "action", "actor", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "action"]
    date_hierarchy = "created_at"


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """Staff see when each job ran, how long it took, what it changed and how it failed."""

    list_display = ["job", "started_at", "duration_ms", "rows_changed", "outcome"]
    list_filter = ["job", "outcome"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in JobRun._meta.fields]
