"""The benchmark's comparison (``make bench`` only, never the product's URLs): the validation
queue's information as a plain Django admin would show it.

A ``ModelAdmin`` with nothing of the product's queue: no annotations, no prefetch, no
``list_select_related`` (Django joins the foreign keys ``list_display`` names by itself); the
email confirmation, the household and the staff-list match are methods that query the database
for each row. Django's stock list filters, its full result count and its default actions. It is registered on
an admin site of its own (``name="stock"``), mounted at ``/banc-admin-standard/`` next to every
URL of the product: this module is the ``ROOT_URLCONF`` of ``scripts/bench_settings.py``, the
settings gunicorn runs with in the benchmark.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.urls import path
from django.utils import timezone

import ceplus.urls
from beneficiaries.rules import household_in_words
from structures.models import Member
from structures.roster.matching import match_label, member_match
from structures.scoping import visible_structure_ids

site = admin.AdminSite(name="stock")


class StockMemberAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "job_title",
        "date_joined",
        "email_confirmed",
        "household",
        "roster",
        "structure",
        "status",
    ]
    list_filter = ["status", "structure"]
    search_fields = ["last_name", "first_name", "email"]
    ordering = ["date_joined"]
    list_per_page = 50
    # Django's own template: the product's admin/structures/member/change_list.html adds the
    # product's export link, which this admin does not have.
    change_list_template = "admin/change_list.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = visible_structure_ids(request.user)
        return queryset if ids is None else queryset.filter(structure__in=ids)

    @admin.display(description="nom", ordering="last_name")
    def name(self, member: Member) -> str:
        return f"{member.last_name} {member.first_name}".strip()

    @admin.display(description="email confirmée", boolean=True)
    def email_confirmed(self, member: Member) -> bool:
        return EmailAddress.objects.filter(user=member, email__iexact=member.email, verified=True).exists()

    @admin.display(description="foyer")
    def household(self, member: Member) -> str:
        return household_in_words(member.beneficiaries.all(), today=timezone.localdate())

    @admin.display(description="liste du personnel")
    def roster(self, member: Member) -> str:
        return match_label(member_match(member))


site.register(Member, StockMemberAdmin)

urlpatterns = [path("banc-admin-standard/", site.urls), *ceplus.urls.urlpatterns]
handler404 = ceplus.urls.handler404
handler500 = ceplus.urls.handler500
