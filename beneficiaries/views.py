"""Mes bénéficiaires, in the espace adhérent: list, add, edit, remove under the structure's
rules. A member only ever reaches their own beneficiaries: another id answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.decorators import approved_member_required
from accounts.models import User
from beneficiaries import services
from beneficiaries.forms import BeneficiaryForm, add_rule_errors
from beneficiaries.models import Beneficiary, Relationship
from beneficiaries.rules import BeneficiaryRules, Candidate, check_beneficiary


def _member_and_structure(request: HttpRequest) -> tuple[User, BeneficiaryRules]:
    member: User = request.user
    return member, member.structure


def _others(member: User) -> list[Candidate]:
    return [
        Candidate(relationship=relationship, birth_date=None, pk=pk)
        for pk, relationship in Beneficiary.objects.filter(member=member).values_list("pk", "relationship")
    ]


def _rules_summary(structure: BeneficiaryRules) -> dict:
    """The structure's rules, said to the member before they fill anything in."""
    return {
        "allowed": [label for value, label in Relationship.choices if structure.allows(value)],
        "allows_children": structure.allows(Relationship.CHILD),
        "child_age_limit": structure.child_age_limit,
        "age_reference": structure.get_child_age_reference_display(),
    }


@approved_member_required
@require_safe
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    """The member's beneficiaries, each with what the structure's rules say of it today."""
    member, structure = _member_and_structure(request)
    today = timezone.localdate()
    beneficiaries = list(Beneficiary.objects.filter(member=member))
    rows = [
        {
            "beneficiary": beneficiary,
            "problems": [
                error.message
                for error in check_beneficiary(
                    structure,
                    Candidate(relationship=beneficiary.relationship, birth_date=beneficiary.birth_date),
                    today=today,
                )
            ],
        }
        for beneficiary in beneficiaries
    ]
    return render(
        request,
        "beneficiaries/list.html",
        {"rows": rows, "structure": structure, "rules": _rules_summary(structure)},
    )


def _save(request: HttpRequest, form: BeneficiaryForm, save) -> HttpResponse | None:
    """Run the service; a rule broken meanwhile (another tab) comes back as form errors."""
    data = form.cleaned_data
    try:
        save(
            relationship=data["relationship"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            birth_date=data["birth_date"],
            acting_user=request.user,
        )
    except ValidationError as error:
        add_rule_errors(form, error)
        return None
    return redirect("beneficiary_list")


@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def beneficiary_add(request: HttpRequest) -> HttpResponse:
    """Add a beneficiary."""
    member, structure = _member_and_structure(request)
    form = BeneficiaryForm(request.POST or None, structure=structure, others=_others(member))
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda **data: services.beneficiary_add(member=member, **data))
        if response is not None:
            messages.success(
                request,
                _("%(name)s est ajouté·e à vos bénéficiaires.") % {"name": form.cleaned_data["first_name"]},
            )
            return response
    return render(
        request,
        "beneficiaries/form.html",
        {"form": form, "beneficiary": None, "structure": structure, "rules": _rules_summary(structure)},
    )


@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def beneficiary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a beneficiary of the member's own."""
    member, structure = _member_and_structure(request)
    beneficiary = get_object_or_404(Beneficiary, pk=pk, member=member)
    form = BeneficiaryForm(
        request.POST or None, structure=structure, others=_others(member), instance=beneficiary
    )
    if request.method == "POST" and form.is_valid():
        response = _save(
            request, form, lambda **data: services.beneficiary_update(beneficiary=beneficiary, **data)
        )
        if response is not None:
            messages.success(
                request,
                _("Les informations de %(name)s sont enregistrées.")
                % {"name": form.cleaned_data["first_name"]},
            )
            return response
    return render(
        request,
        "beneficiaries/form.html",
        {
            "form": form,
            "beneficiary": beneficiary,
            "structure": structure,
            "rules": _rules_summary(structure),
        },
    )


@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def beneficiary_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then remove a beneficiary of the member's own."""
    beneficiary = get_object_or_404(Beneficiary, pk=pk, member=request.user)
    if request.method == "POST":
        services.beneficiary_remove(beneficiary=beneficiary, acting_user=request.user)
        messages.success(
            request,
            _("%(name)s ne fait plus partie de vos bénéficiaires.") % {"name": beneficiary.first_name},
        )
        return redirect("beneficiary_list")
    return render(request, "beneficiaries/remove.html", {"beneficiary": beneficiary})
