"""The structures' invitations and what became of them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ceplus.text import short_list
from structures.admin.common import (
    invitation_state_label,
)
from structures.models import Invitation
from structures.scoping import ScopedAdmin, structure_filter
from structures.services import (
    InvitationError,
    invitation_resend,
    invitation_revoke,
    invitation_url,
)


class InvitationStateFilter(admin.SimpleListFilter):
    title = _("statut")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Invitation.State.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        live = Q(revoked_at__isnull=True, used_at__isnull=True)
        conditions = {
            Invitation.State.ACTIVE: live & (Q(expires_at__isnull=True) | Q(expires_at__gt=now)),
            Invitation.State.USED: Q(revoked_at__isnull=True, used_at__isnull=False),
            Invitation.State.EXPIRED: live & Q(expires_at__lte=now),
            Invitation.State.REVOKED: Q(revoked_at__isnull=False),
        }
        if value is None:
            return queryset
        if value not in conditions:
            return queryset.none()
        return queryset.filter(conditions[value])


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    """The structures' invitations and what became of them; resend or revoke from the list."""

    structure_path = "structure"
    structure_column = "structure"
    list_display = [
        "recipient",
        "structure",
        "state_display",
        "sent_at",
        "expires_at",
        "used_at",
        "created_by",
    ]
    list_select_related = ["structure", "created_by"]
    list_filter = [InvitationStateFilter, "kind", structure_filter("structure")]
    search_fields = ["email"]
    ordering = ["-created_at"]
    actions = ["resend_selected", "revoke_selected"]
    fields = [
        "structure",
        "kind",
        "email",
        "link",
        "state_display",
        "created_at",
        "created_by",
        "sent_at",
        "expires_at",
        "used_at",
        "revoked_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        # Invitations are made from the structure's invitation page.
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing to edit on an invitation itself; resending or revoking (from the list) is a
        # change of it.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # An invitation is revoked, never deleted: the registrations made with it refer to it.
        return False

    @admin.display(description=_("destinataire"), ordering="email")
    def recipient(self, invitation: Invitation) -> str:
        return invitation.email or invitation.get_kind_display()

    @admin.display(description=_("statut"))
    def state_display(self, invitation: Invitation) -> str:
        return invitation_state_label(invitation)

    @admin.display(description=_("lien"))
    def link(self, invitation: Invitation) -> str:
        return invitation_url(invitation) if invitation.is_usable else "—"

    @admin.action(description=_("Renvoyer les invitations sélectionnées"), permissions=["change"])
    def resend_selected(self, request, queryset):
        sent, refused = [], []
        for invitation in queryset.select_related("structure"):
            try:
                invitation_resend(invitation=invitation, acting_user=request.user)
            except InvitationError as error:
                refused.append(str(error))
            else:
                sent.append(invitation.email)
        if sent:
            self.message_user(
                request,
                ngettext(
                    "Invitation renvoyée à %(list)s.",
                    "%(count)d invitations renvoyées : %(list)s.",
                    len(sent),
                )
                % {"count": len(sent), "list": short_list(sent)},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(request, short_list(refused), messages.WARNING)

    @admin.action(description=_("Révoquer les invitations sélectionnées"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        count = 0
        for invitation in queryset.filter(revoked_at__isnull=True):
            invitation_revoke(invitation=invitation, acting_user=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d invitation révoquée.", "%(count)d invitations révoquées.", count)
            % {"count": count},
            messages.SUCCESS,
        )
