"""The certificates admin: browse, revoke with a reason (audited). The rendered files are
private: linked through the view that checks who asks, never by a media URL."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import AdminAuditActions, AuditedAdminMixin, ReadOnlyAdmin
from core.audit import AuditAction

from . import services
from .models import Certificate


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("reason for revoking"), max_length=300)


@admin.register(Certificate)
class CertificateAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    # Revoking goes through certificate_revoke (audited there); a change or deletion, should
    # this admin ever allow one, is audited here.
    audit_actions = AdminAuditActions(
        changed=AuditAction.CERTIFICATE_CHANGED, deleted=AuditAction.CERTIFICATE_DELETED
    )
    audit_personal_fields = ["learner_name"]
    list_display = ["serial", "learner_name", "course", "issued_at", "revoked_at"]
    list_filter = ["course", "revoked_at"]
    search_fields = ["serial", "learner_name", "user__username"]
    actions = ["revoke"]
    # The rendered files are private (no URL): linked through the view that checks who asks.
    exclude = ["png", "pdf"]
    readonly_fields = ["files"]

    @admin.display(description=_("file"))
    def files(self, obj: Certificate) -> SafeString | str:
        if obj.rendered_at is None:
            return "-"
        png = reverse("edu:certificate-file", args=[obj.serial, "png"])
        pdf = reverse("edu:certificate-file", args=[obj.serial, "pdf"])
        return format_html('<a href="{}">PNG</a> · <a href="{}">PDF</a>', png, pdf)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("edu.revoke_certificate")

    @admin.action(description=_("Revoke the selected certificates"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Certificate]) -> HttpResponse | None:
        """Asks for the reason first; the reason goes into the audit log."""
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for certificate in queryset:
                services.certificate_revoke(
                    certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
                )
            self.message_user(request, gettext("Revoked. The verification page now says so."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Revoke certificates"),
            "opts": self.model._meta,
            "form": form,
            "certificates": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/edu/certificate/revoke.html", context)
