from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import AdminAuditActions, AuditedAdminMixin
from core.audit import AuditAction

from . import services
from .models import ApiClient, Attempt, Audience, Option, Question, Quiz, ScamType, TransferCheck


@admin.register(ScamType, Audience)
class NamedCodeAdmin(admin.ModelAdmin[ScamType | Audience]):
    list_display = ["code", "name_zh_hans", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name_zh_hans", "name_en"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: ScamType | Audience | None = None
    ) -> list[str]:
        # Codes are part of the API contract: added, never renamed.
        return ["code"] if obj else []


class OptionFormSet(forms.BaseInlineFormSet[Option, Question, forms.ModelForm[Option]]):
    """A question saved as published must have options learners can answer
    (``services.question_publish_refusal``); the refusal is shown above the options."""

    instance: Question

    def clean(self) -> None:
        super().clean()
        if self.instance.status != Question.Status.PUBLISHED:
            return
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not form.cleaned_data.get("DELETE")
        ]
        correct = [bool(form.cleaned_data.get("is_correct")) for form in kept]
        refusal = services.question_publish_refusal(kind=self.instance.kind, correct=correct)
        if refusal is not None:
            raise forms.ValidationError(
                gettext("This question cannot be published: %(reason)s Save it as a draft.")
                % {"reason": refusal},
                code="not_publishable",
            )


class OptionInline(admin.TabularInline[Option, Question]):
    model = Option
    formset = OptionFormSet
    extra = 0
    fields = ["position", "text", "is_correct"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ["key", "language", "scam_type", "kind", "difficulty", "status", "updated_at"]
    list_filter = ["status", "language", "scam_type", "kind", "difficulty", "audiences"]
    search_fields = ["key", "text", "explanation"]
    ordering = ["key", "language"]
    filter_horizontal = ["audiences"]
    inlines = [OptionInline]
    readonly_fields = ["other_versions"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["key", "language", "other_versions", "status"]}),
        (_("Tags"), {"fields": ["scam_type", "audiences", "difficulty", "kind"]}),
        (_("Content"), {"fields": ["scenario", "image", "image_alt", "text", "explanation"]}),
    ]

    @admin.display(description=_("Other language versions"))
    def other_versions(self, obj: Question) -> str:
        # The zh-hans and en rows of one key, side by side for the editor.
        if not obj.pk:
            return "-"
        return (
            format_html_join(
                ", ",
                '<a href="../../{}/change/">{} [{}]</a>',
                ((q.pk, q.key, q.language) for q in obj.translations()),
            )
            or "-"
        )

    @admin.action(description=_("Publish the selected questions"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        published = 0
        for question in queryset:
            try:
                published += services.question_publish(question=question)
            except services.QuestionNotPublishable as refused:
                self.message_user(
                    request,
                    gettext("Question “%(question)s” was not published: %(reason)s")
                    % {"question": question, "reason": refused.message},
                    messages.ERROR,
                )
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d question published.", "%(count)d questions published.", published
                )
                % {"count": published},
            )

    @admin.action(description=_("Return the selected questions to draft"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        queryset.update(status=Question.Status.DRAFT)


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin[Quiz]):
    list_display = [
        "slug",
        "title_zh_hans",
        "scam_type",
        "audience",
        "question_count",
        "is_published",
    ]
    list_filter = ["is_published", "scam_type"]


@admin.register(Attempt)
class AttemptAdmin(AuditedAdminMixin, admin.ModelAdmin[Attempt]):
    # Read-only, but deleting an attempt changes the reach figures.
    audit_actions = AdminAuditActions(deleted=AuditAction.ATTEMPT_DELETED)
    list_display = ["id", "quiz", "user", "language", "score", "started_at", "finished_at"]
    readonly_fields = [f.name for f in Attempt._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdminMixin, admin.ModelAdmin[ApiClient]):
    """Clients are created with ``manage.py create_api_client`` (it shows the key once).
    Changes here (limit, active, webhooks) and deletions are audited; secrets by name only."""

    audit_actions = AdminAuditActions(
        created=AuditAction.API_CLIENT_CREATED,
        changed=AuditAction.API_CLIENT_CHANGED,
        deleted=AuditAction.API_CLIENT_DELETED,
    )
    audit_fields = [
        "name",
        "key_prefix",
        "scopes",
        "rate_limit_per_minute",
        "webhook_url",
        "webhook_disabled_at",
        "is_active",
        "protected_funds_ceiling",
    ]
    audit_secret_fields = ["key_hash", "webhook_secret", "previous_webhook_secret"]

    list_display = [
        "name",
        "key_prefix",
        "scopes",
        "rate_limit_per_minute",
        "webhook_url",
        "webhook_disabled_at",
        "is_active",
    ]
    fields = [
        "name",
        "key_prefix",
        "scopes",
        "rate_limit_per_minute",
        "webhook_url",
        "return_urls",
        "webhook_disabled_at",
        "is_active",
        "protected_funds_ceiling",
        "figures_excluded_at",
        "created_at",
    ]
    # Excluding a client from the figures rebuilds them: staff do it on /quizzes/figures/.
    readonly_fields = [
        "name",
        "key_prefix",
        "scopes",
        "webhook_url",
        # Registered with create_api_client, which checks each one.
        "return_urls",
        "figures_excluded_at",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# Staff who manage the API clients also vouch for their outsized amounts.
CONFIRM_PERM = "quizzes.change_apiclient"


class AmountCheckFilter(admin.SimpleListFilter):
    """Checks whose amount is above their client's ceiling, by whether staff confirmed it."""

    title = _("amount above the ceiling")
    parameter_name = "amount"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [
            ("waiting", str(_("Waiting for confirmation"))),
            ("confirmed", str(_("Confirmed"))),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[TransferCheck]
    ) -> QuerySet[TransferCheck]:
        if self.value() == "waiting":
            return queryset.filter(amount_flagged=True, amount_confirmed_at__isnull=True)
        if self.value() == "confirmed":
            return queryset.filter(amount_flagged=True, amount_confirmed_at__isnull=False)
        return queryset


@admin.register(TransferCheck)
class TransferCheckAdmin(AuditedAdminMixin, admin.ModelAdmin[TransferCheck]):
    # Read-only, but deleting a check changes the transfer-check figures.
    audit_actions = AdminAuditActions(deleted=AuditAction.TRANSFER_CHECK_DELETED)
    # The reference is blanked at 180 days; the audit row, kept longer, never holds it.
    audit_personal_fields = ["subject_ref"]
    list_display = [
        "id",
        "client",
        "status",
        "amount",
        "currency",
        "age_band",
        "created_at",
        "resolution",
        "amount_flagged",
    ]
    list_filter = [AmountCheckFilter, "status", "resolution", "age_band", "client"]
    readonly_fields = [f.name for f in TransferCheck._meta.fields]
    actions = ["confirm_amounts"]

    @admin.action(
        description=_("Confirm the amounts (they count in protected funds)"),
        permissions=["confirm_amount"],
    )
    def confirm_amounts(self, request: HttpRequest, queryset: QuerySet[TransferCheck]) -> None:
        confirmed = 0
        for check in queryset.filter(amount_flagged=True, amount_confirmed_at__isnull=True):
            services.transfer_check_amount_confirm(check=check, by=request.user)
            confirmed += 1
        self.message_user(
            request,
            ngettext("%(count)d amount confirmed.", "%(count)d amounts confirmed.", confirmed)
            % {"count": confirmed},
        )

    def has_confirm_amount_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CONFIRM_PERM)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TransferCheck | None = None) -> bool:
        return False
