"""The audit trail of the members' life cycle: who, when, from which status to which, why."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from ceplus.admin_base import ReadOnlyAdminMixin
from structures.models import MembershipDecision, status_label
from structures.scoping import ScopedAdmin, structure_filter


class DecisionStatusFilter(admin.SimpleListFilter):
    title = _("nouveau statut")
    parameter_name = "to_status"

    def lookups(self, request, model_admin):
        return User.Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in User.Status.values:
            return queryset.none()
        return queryset.filter(to_status=value)


@admin.register(MembershipDecision)
class MembershipDecisionAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """The audit trail of decisions: who, when, from which status to which, why. Read only."""

    structure_path = "structure"
    list_display = [
        "created_at",
        "member_link",
        "structure",
        "from_label",
        "to_label",
        "acting_user",
        "reason",
    ]
    list_select_related = ["member", "structure", "acting_user"]
    list_filter = [DecisionStatusFilter, structure_filter("structure")]
    search_fields = ["member__last_name", "member__email", "reason"]
    ordering = ["-created_at"]
    fields = ["created_at", "member_link", "structure", "from_label", "to_label", "acting_user", "reason"]
    readonly_fields = fields

    @admin.display(description=_("ouvrant-droit"), ordering="member__last_name")
    def member_link(self, decision: MembershipDecision) -> str:
        if decision.member is None:
            return _("(compte supprimé)")
        url = reverse("admin:structures_member_change", args=[decision.member_id])
        return format_html('<a href="{}">{}</a>', url, decision.member)

    @admin.display(description=_("ancien statut"))
    def from_label(self, decision: MembershipDecision) -> str:
        return status_label(decision.from_status)

    @admin.display(description=_("nouveau statut"))
    def to_label(self, decision: MembershipDecision) -> str:
        return status_label(decision.to_status)
