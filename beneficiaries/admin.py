"""Beneficiaries and their history in the admin. Managers read them; staff correct a
beneficiary here under the structure's rules, and every change is recorded
(``beneficiaries.services``)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Beneficiary, BeneficiaryChange
from beneficiaries.rules import Candidate
from beneficiaries.services import beneficiary_check, beneficiary_remove, beneficiary_update
from ceplus.admin_base import ReadOnlyAdminMixin, changes_table
from structures.scoping import ScopedAdmin, managed_structure_ids, structure_filter


class BeneficiaryAdminForm(forms.ModelForm):
    """A beneficiary as staff correct it: the structure's rules say no at the field concerned."""

    class Meta:
        model = Beneficiary
        fields = ["relationship", "last_name", "first_name", "birth_date"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.pk:
            candidate = Candidate(
                relationship=cleaned["relationship"],
                birth_date=cleaned["birth_date"],
                first_name=cleaned["first_name"],
                pk=self.instance.pk,
            )
            try:
                beneficiary_check(self.instance.member, candidate)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Beneficiary)
class BeneficiaryAdmin(ScopedAdmin):
    """Members' family members. Managers read them (the member keeps them up to date from the
    member area); only staff may correct one here, under the structure's rules, and each
    correction or removal is recorded like the member's own."""

    form = BeneficiaryAdminForm

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

    def save_model(self, request, obj, form, change):
        try:
            beneficiary_update(
                beneficiary=obj,
                relationship=obj.relationship,
                last_name=obj.last_name,
                first_name=obj.first_name,
                birth_date=obj.birth_date,
                acting_user=request.user,
            )
        except ValidationError as error:
            # The rules changed between the form's check and the save (another change meanwhile).
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def delete_model(self, request, obj):
        beneficiary_remove(beneficiary=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for beneficiary in queryset:
            beneficiary_remove(beneficiary=beneficiary, acting_user=request.user)

    @admin.display(description=_("ouvrant-droit"), ordering="member__last_name")
    def member_link(self, beneficiary: Beneficiary) -> str:
        url = reverse("admin:structures_member_change", args=[beneficiary.member_id])
        return format_html('<a href="{}">{}</a>', url, beneficiary.member)

    @admin.display(description=_("structure"), ordering="member__structure__name")
    def structure_name(self, beneficiary: Beneficiary) -> str:
        return beneficiary.member.structure.name if beneficiary.member.structure else "—"


@admin.register(BeneficiaryChange)
class BeneficiaryChangeAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """The audit trail of beneficiaries: read-only, and for a structure manager only the changes
    of their own structures' members."""

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
        return changes_table(obj.changes)


# The yearly updates and the page of who is entitled on a date have modules of their own.
from beneficiaries import campaign_admin  # noqa: E402, F401
