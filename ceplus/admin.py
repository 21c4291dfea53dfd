from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ceplus.models import LegalDocument, OutgoingEmail
from ceplus.services import legal_document_new_version

admin.site.site_header = _("CE+ Services – administration")
admin.site.site_title = _("CE+ Services")
admin.site.index_title = _("Tableau de bord")


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    list_display = ["kind", "version", "title", "published_at", "is_published"]
    list_filter = ["kind"]
    ordering = ["kind", "-version"]
    actions = ["new_version"]

    def get_readonly_fields(self, request, obj=None):
        # A published version is what members accepted: it never changes afterwards.
        if obj is not None and obj.is_published:
            return ["kind", "version", "title", "body", "published_at"]
        if obj is not None:
            return ["kind", "version"]
        return ["version"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    # Text rather than Django's check-mark icon, whose text alternative is English.
    @admin.display(description=_("en vigueur ou passée"))
    def is_published(self, obj: LegalDocument) -> str:
        return str(_("oui") if obj.is_published else _("non"))

    @admin.action(description=_("Préparer une nouvelle version à partir de la sélection"))
    def new_version(self, request, queryset):
        drafts = [legal_document_new_version(source=document) for document in queryset]
        self.message_user(
            request,
            _("%(count)d nouvelle(s) version(s) créée(s), à relire avant publication.")
            % {"count": len(drafts)},
            messages.SUCCESS,
        )
        if len(drafts) == 1:
            return redirect(reverse("admin:ceplus_legaldocument_change", args=[drafts[0].pk]))
        return None


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    # The body is never shown: password reset and invitation emails carry personal links that
    # would let whoever reads them set someone else's password or use their invitation.
    fields = [
        "to",
        "from_email",
        "subject",
        "template",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
