"""The audit trail of beneficiaries in the admin: read-only, and for a structure manager only
the changes of their own structures' members (``structures.scoping``).

Registered from ``BeneficiariesConfig.ready()``: ``beneficiaries/admin.py`` holds the
beneficiaries' own admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import BeneficiaryChange
from structures.scoping import ScopedAdmin, structure_filter


class BeneficiaryChangeAdmin(ScopedAdmin):
    list_display = ["created_at", "member", "action", "description", "acting_user"]
    list_filter = ["action", structure_filter("structure")]
    list_select_related = ["member", "acting_user"]
    search_fields = ["description", "member__last_name", "member__first_name", "member__email"]
    date_hierarchy = "created_at"
    filterable_fields = ("created_at",)
    fields = ["created_at", "member", "structure", "acting_user", "action", "description", "changes_table"]
    readonly_fields = fields

    @admin.display(description=_("modifications"))
    def changes_table(self, obj: BeneficiaryChange) -> str:
        if not obj.changes:
            return "—"
        return format_html_join(
            "\n",
            "<div>{} : {} → {}</div>",
            ((item.get("field", ""), item.get("before", ""), item.get("after", "")) for item in obj.changes),
        )

    # The trail is written by the services only: nobody adds, edits or deletes a line.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register(site: admin.AdminSite = admin.site) -> None:
    if not site.is_registered(BeneficiaryChange):
        site.register(BeneficiaryChange, BeneficiaryChangeAdmin)
