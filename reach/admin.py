from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """Staff see when each job ran, how long it took, what it changed and how it failed."""

    list_display = ["job", "started_at", "duration_ms", "rows_changed", "outcome"]
    list_filter = ["job", "outcome"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in JobRun._meta.fields]
