"""« Ayants droit au … »: the admin's page of who is entitled on a date (a Christmas tree's
children under 12 on 25 December, the guests of a summer outing…), for managers (their
structures) and staff, with its CSV export. The answer is ``entitlement.entitled_on``'s, over
the structures ``visible_structure_ids`` gives."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from beneficiaries.entitlement import Entry, entitled_on
from beneficiaries.models import Relationship
from ceplus.csv_files import csv_download
from structures.models import Structure
from structures.scoping import scope_by_structure, visible_structure_ids

PERMISSION = "beneficiaries.view_beneficiary"
# The page lists this many people; the export has them all.
SHOWN = 200
AGE_ERRORS = {
    "invalid": _("Saisissez un âge en chiffres, par exemple 12."),
    "min_value": _("Saisissez un âge de 0 an ou plus."),
    "max_value": _("Saisissez un âge de 130 ans au plus."),
}


class EntitledForm(forms.Form):
    """The question asked (from the query string): a day, and optionally a link, an age range
    on that day and one of the structures the person sees."""

    day = forms.DateField(
        label=_("Date"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("Au format jj/mm/aaaa, par exemple 25/12/2026."),
        error_messages={
            "required": _("Saisissez une date, par exemple 25/12/2026."),
            "invalid": _("Cette date n'existe pas : saisissez-la comme 25/12/2026."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 12}),
    )
    relationship = forms.ChoiceField(
        label=_("Lien"),
        choices=[("", _("Tous les liens")), *Relationship.choices],
        required=False,
        error_messages={"invalid_choice": _("Choisissez un lien de la liste.")},
    )
    age_min = forms.IntegerField(
        label=_("Âge à cette date, de (facultatif)"),
        required=False,
        min_value=0,
        max_value=130,
        error_messages=AGE_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )
    age_max = forms.IntegerField(
        label=_("à (inclus, facultatif)"),
        required=False,
        min_value=0,
        max_value=130,
        error_messages=AGE_ERRORS,
        help_text=_("Les enfants de moins de 12 ans : de 0 à 11 ans."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )
    structure = forms.ModelChoiceField(
        label=_("Structure"),
        queryset=Structure.objects.none(),
        required=False,
        empty_label=_("Toutes mes structures"),
        error_messages={"invalid_choice": _("Choisissez une structure de la liste.")},
    )

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures.order_by("name")

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("age_min"), cleaned.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("Saisissez un âge maximum égal ou supérieur à l'âge minimum."))
        return cleaned


def _entries(form: EntitledForm, ids: list[int] | None) -> list[Entry]:
    """Who the form's question answers, among the structures ``ids`` (``None``: all)."""
    data = form.cleaned_data
    if data["structure"] is not None:
        ids = [data["structure"].pk]
    entries = entitled_on(data["day"], structure_ids=ids)
    low, high = data["age_min"], data["age_max"]
    return [
        entry
        for entry in entries
        if (not data["relationship"] or entry.beneficiary.relationship == data["relationship"])
        and (low is None or entry.age >= low)
        and (high is None or entry.age <= high)
    ]


def _form(request: HttpRequest) -> tuple[EntitledForm, list[int] | None]:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    ids = visible_structure_ids(request.user)
    structures = scope_by_structure(Structure.objects.all(), ids, "pk")
    data = request.GET.copy()
    if not data.get("day"):
        data["day"] = timezone.localdate().strftime("%d/%m/%Y")
    return EntitledForm(data, structures=structures), ids


@require_safe
def _entitled_page(request: HttpRequest) -> HttpResponse:
    form, ids = _form(request)
    entries = _entries(form, ids) if form.is_valid() else None
    context = {
        **admin.site.each_context(request),
        "title": _("Ayants droit à une date"),
        "form": form,
        "entries": entries[:SHOWN] if entries is not None else None,
        "count": len(entries) if entries is not None else 0,
        "more": max(0, len(entries) - SHOWN) if entries is not None else 0,
        "day": form.cleaned_data["day"] if entries is not None else None,
        "export_url": reverse("admin_entitled_export") + "?" + urlencode(request.GET.items())
        if entries is not None
        else "",
        "show_structure": ids is None or len(ids) > 1,
        "christmas_url": reverse("admin_entitled")
        + "?"
        + urlencode(
            {
                "day": f"25/12/{timezone.localdate().year}",
                "relationship": Relationship.CHILD,
                "age_min": "0",
                "age_max": "11",
            }
        ),
    }
    return render(request, "admin/beneficiaries/entitled.html", context)


@require_safe
def _entitled_export(request: HttpRequest) -> HttpResponse:
    """The same list as a CSV file for Excel (UTF-8 with BOM, ";"); a question the page would
    refuse gets the page and its French message instead."""
    form, ids = _form(request)
    if not form.is_valid():
        return _entitled_page(request)
    day: datetime.date = form.cleaned_data["day"]
    entries = _entries(form, ids)
    titles = [
        _("Nom"),
        _("Prénom"),
        _("Lien"),
        _("Date de naissance"),
        _("Âge au %(date)s") % {"date": day.strftime("%d/%m/%Y")},
        _("Ouvrant-droit"),
        pgettext_lazy("libellé", "Email de l'ouvrant-droit"),
        _("Structure"),
    ]
    rows = (
        (
            entry.beneficiary.last_name,
            entry.beneficiary.first_name,
            entry.beneficiary.get_relationship_display(),
            entry.beneficiary.birth_date.strftime("%d/%m/%Y"),
            entry.age,
            f"{entry.beneficiary.member.last_name} {entry.beneficiary.member.first_name}".strip(),
            entry.beneficiary.member.email,
            entry.beneficiary.member.structure.name,
        )
        for entry in entries
    )
    return csv_download(f"ayants-droit-au-{day:%Y-%m-%d}.csv", titles, rows)


entitled_page = admin.site.admin_view(_entitled_page)
entitled_export = admin.site.admin_view(_entitled_export)
