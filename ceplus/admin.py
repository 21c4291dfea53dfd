from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from ceplus.admin_base import BaseAdmin, ProductAdminMixin
from ceplus.models import LegalDocument, OutgoingEmail
from ceplus.services import legal_document_new_version, legal_document_save, outgoing_email_resend

admin.site.site_header = _("CE+ Services – administration")
admin.site.site_title = _("CE+ Services")
admin.site.index_title = _("Tableau de bord")
# Second factors and sessions are each person's own ("Double authentification", "Mes appareils"):
# allauth's lists of them are in English only, and staff reset a lost factor from the account's
# page (accounts.admin).
for model in (Authenticator, UserSession):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
# The task queue's own admin is in English only; what staff need of it (did an email leave?)
# is in "Emails envoyés".
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

# Django's and allauth's own admins, with what every admin of the product does (ceplus.admin_base).
for model, model_admin in ((Group, GroupAdmin), (EmailAddress, EmailAddressAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(
        model, type(model_admin.__name__, (ProductAdminMixin, model_admin), {"__module__": __name__})
    )


@admin.register(LegalDocument)
class LegalDocumentAdmin(BaseAdmin):
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

    def save_model(self, request, obj, form, change):
        legal_document_save(document=obj)

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
class OutgoingEmailAdmin(BaseAdmin):
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
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Renvoyer les emails sélectionnés"), permissions=["change"])
    def resend(self, request, queryset):
        # Only unsent emails: a sent one would reach its recipient twice.
        emails = list(queryset.exclude(status=OutgoingEmail.Status.SENT))
        for email in emails:
            outgoing_email_resend(email=email)
        self.message_user(
            request,
            _("%(count)d email(s) remis à l'envoi ; les emails déjà envoyés ne sont pas renvoyés.")
            % {"count": len(emails)},
            messages.SUCCESS,
        )
