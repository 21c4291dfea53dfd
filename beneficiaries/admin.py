from django.contrib import admin

from beneficiaries.models import Beneficiary


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "relationship", "birth_date", "member"]
    list_filter = ["relationship"]
    list_select_related = ["member"]
