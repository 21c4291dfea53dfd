"""Mes bénéficiaires, in the espace adhérent: list, add, edit, remove under the structure's
rules. A member only ever reaches their own beneficiaries: another id answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from accounts.decorators import approved_member_required
from accounts.models import User
from beneficiaries import services
from beneficiaries.entitlement import State, standings
from beneficiaries.forms import BeneficiaryForm, ProofForm, add_rule_errors
from beneficiaries.models import Beneficiary, ProofFile
from beneficiaries.rules import BeneficiaryRules, Candidate, needs_in_words, rules_summary
from ceplus.uploads import MemoryOnlyUploadHandler


def _member_and_structure(request: HttpRequest) -> tuple[User, BeneficiaryRules]:
    member: User = request.user
    return member, member.structure


def _others(member: User) -> list[Candidate]:
    return [
        Candidate(relationship=relationship, birth_date=None, pk=pk)
        for pk, relationship in Beneficiary.objects.filter(member=member).values_list("pk", "relationship")
    ]


@approved_member_required
@require_safe
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    """The member's beneficiaries, each with where it stands today (the structure's rules, the
    proofs sent and checked) and the proof to send if one is asked."""
    member, structure = _member_and_structure(request)
    beneficiaries = Beneficiary.objects.filter(member=member).select_related("member__structure")
    rows = [
        {"beneficiary": entry.beneficiary, "standing": entry.standing}
        for entry in standings(beneficiaries, timezone.localdate())
    ]
    return render(
        request,
        "beneficiaries/list.html",
        {"rows": rows, "structure": structure, "rules": rules_summary(structure)},
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
        {"form": form, "beneficiary": None, "structure": structure, "rules": rules_summary(structure)},
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
            "rules": rules_summary(structure),
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


@csrf_exempt
@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def proof_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Envoyer un justificatif: the document asked for a beneficiary of the member's own, from a
    file or the phone's camera. The file is read in memory only (never on the server's disk),
    then checked and kept encrypted until a manager decides."""
    # Before anything reads the request's body (the CSRF check included): a file too large is
    # dropped and said to be, instead of read as missing.
    handler = MemoryOnlyUploadHandler(request, max_bytes=ProofFile.MAX_BYTES)
    request.upload_handlers = [handler]
    return _proof_send(request, pk, handler)


@csrf_protect
def _proof_send(request: HttpRequest, pk: int, handler: MemoryOnlyUploadHandler) -> HttpResponse:
    beneficiary = get_object_or_404(
        Beneficiary.objects.select_related("member__structure"), pk=pk, member=request.user
    )
    needs = services.proof_needs_today(beneficiary)
    if not needs:
        messages.info(
            request,
            _("Aucun justificatif n'est demandé pour %(name)s.") % {"name": beneficiary.first_name},
        )
        return redirect("beneficiary_list")
    if request.method == "POST":
        form = ProofForm(
            request.POST,
            request.FILES,
            needs=needs,
            too_large=handler.too_large,
            dropped_size=handler.dropped_size,
        )
    else:
        form = ProofForm(needs=needs)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        purpose = next(purpose for purpose, kinds in needs if kind in kinds)
        try:
            services.proof_send(
                beneficiary=beneficiary,
                purpose=purpose,
                kind=kind,
                file=form.checked,
                acting_user=request.user,
            )
        except services.ProofNotExpected as error:
            form.add_error("kind", str(error))
        else:
            messages.success(
                request,
                _(
                    "Votre justificatif pour %(name)s est envoyé. Un gestionnaire de %(structure)s va "
                    "le vérifier ; le fichier sera ensuite supprimé."
                )
                % {"name": beneficiary.first_name, "structure": beneficiary.member.structure.name},
            )
            return redirect("beneficiary_list")
    standing = standings([beneficiary], timezone.localdate())[0].standing
    return render(
        request,
        "beneficiaries/proof_send.html",
        {
            "form": form,
            "beneficiary": beneficiary,
            "standing": standing,
            "waiting": standing.state == State.PROOF_SENT,
            "purposes": needs_in_words(needs),
        },
    )
