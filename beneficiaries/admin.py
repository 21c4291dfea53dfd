from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Beneficiary
from structures.scoping import ScopedAdmin, managed_structure_ids, structure_filter


@admin.register(Beneficiary)
class BeneficiaryAdmin(ScopedAdmin):
    """Members' family members. Managers read them (the member keeps them up to date from the
    member area); only staff may correct one here."""

    structure_path = "member__structure"
    list_display = ["last_name", "first_name", "relationship", "birth_date", "member_link", "structure_name"]
    list_select_related = ["member", "member__structure"]
    list_filter = ["relationship", structure_filter("member__structure")]
    search_fields = ["last_name", "first_name", "member__last_name", "member__email"]
    ordering = ["member__last_name", "last_name", "first_name"]
    readonly_fields = ["member"]

    def has_add_permission(self, request):
        # Members add their beneficiaries at signup or from the member area.
        return False

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        ids = managed_structure_ids(request)
        if ids is not None and len(ids) < 2:
            fields.remove("structure_name")
        return fields

    @admin.display(description=_("ouvrant-droit"), ordering="member__last_name")
    def member_link(self, beneficiary: Beneficiary) -> str:
        url = reverse("admin:structures_member_change", args=[beneficiary.member_id])
        return format_html('<a href="{}">{}</a>', url, beneficiary.member)

    @admin.display(description=_("structure"), ordering="member__structure__name")
    def structure_name(self, beneficiary: Beneficiary) -> str:
        return beneficiary.member.structure.name if beneficiary.member.structure else "—"
