"""The espace adhérent: what a member whose structure validated the registration finds after
CONNEXION. Every view here is for approved members only (``approved_member_required``)."""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from allauth.core.ratelimit import consume
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from accounts.adapter import WELCOME_SESSION_KEY, client_ip
from accounts.decorators import approved_member_required
from accounts.forms import AddressForm
from accounts.member_area.forms import ConsentForm, EraseForm, ProfileForm
from accounts.member_area.middleware import SESSION_KEY
from accounts.models import Address, Consent, ServiceConsent, User
from accounts.privacy import member_erase, member_export
from accounts.services import (
    address_save,
    consents_accept,
    documents_to_accept,
    profile_update,
    service_access_revoke,
)
from beneficiaries.models import Beneficiary
from ceplus.models import LegalDocument
from structures.partners.access import SCOPES, services_for


@approved_member_required
@require_safe
def member_home(request: HttpRequest) -> HttpResponse:
    """The espace adhérent's home: status, structure, what to do next, its contact, and every
    page; at the first sign-in, a welcome."""
    member: User = request.user
    structure = member.structure
    has_address = Address.objects.filter(user=member).exists()
    beneficiary_count = Beneficiary.objects.filter(member=member).aggregate(n=Count("pk"))["n"]
    pending_email = (
        EmailAddress.objects.filter(user=member, verified=False).exclude(email__iexact=member.email).first()
    )
    return render(
        request,
        "accounts/member/home.html",
        {
            "member": member,
            "structure": structure,
            "has_address": has_address,
            "beneficiary_count": beneficiary_count,
            "accepts_beneficiaries": bool(structure.allowed_beneficiary_kinds),
            "pending_email": pending_email,
            "welcome": request.session.pop(WELCOME_SESSION_KEY, False),
            "services": list(services_for(member)),
        },
    )


@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_profile(request: HttpRequest) -> HttpResponse:
    """Mon profil: nom, prénom, fonction (found by keyword as in the wizard), téléphone. The
    email has its own page, allauth's."""
    member: User = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            profile_update(
                member=member,
                last_name=data["last_name"],
                first_name=data["first_name"],
                job_title=data["job_title_obj"],
                job_title_other=data.get("job_title_other", ""),
                phone=data["phone"],
                acting_user=member,
            )
            messages.success(request, _("Votre profil est enregistré."))
            return redirect("member_profile")
    else:
        form = ProfileForm(
            initial={
                "last_name": member.last_name,
                "first_name": member.first_name,
                "job_title": member.job_title.name if member.job_title else member.job_title_other,
                "job_title_other": member.job_title_other,
                "phone": member.phone,
            }
        )
    pending_email = (
        EmailAddress.objects.filter(user=member, verified=False).exclude(email__iexact=member.email).first()
    )
    return render(
        request,
        "accounts/member/profile.html",
        {"form": form, "member": member, "pending_email": pending_email},
    )


@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_address(request: HttpRequest) -> HttpResponse:
    """Mon adresse de livraison: where tickets are sent."""
    member: User = request.user
    address = Address.objects.filter(user=member).first()
    if request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid():
            address_save(member=member, acting_user=member, **form.cleaned_data)
            messages.success(request, _("Votre adresse de livraison est enregistrée."))
            return redirect("member_address")
    else:
        initial = {}
        if address is not None:
            initial = {
                "line1": address.line1,
                "line2": address.line2,
                "postal_code": address.postal_code,
                "city": address.city,
                "country": address.country,
            }
        form = AddressForm(initial=initial)
    return render(request, "accounts/member/address.html", {"form": form, "address": address})


@approved_member_required
@require_safe
def member_consents(request: HttpRequest) -> HttpResponse:
    """Mes consentements: the versions of CGU, CGV and règlement accepted, and when."""
    consents = list(
        Consent.objects.filter(user=request.user)
        .select_related("document")
        .order_by("document__kind", "-document__version")
    )
    current = LegalDocument.objects.current_set(LegalDocument.CONSENT_KINDS)
    current_ids = {document.pk for document in current.values()}
    rows = [{"consent": consent, "is_current": consent.document_id in current_ids} for consent in consents]
    return render(request, "accounts/member/consents.html", {"rows": rows})


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_consents_accept(request: HttpRequest) -> HttpResponse:
    """A new version of a legal document is in force: the member accepts it before going on."""
    member: User = request.user
    documents = documents_to_accept(member)
    next_url = _next_url(request)
    if not documents:
        return redirect(next_url or "member_home")
    form = ConsentForm(request.POST or None, documents=documents)
    if request.method == "POST" and form.is_valid():
        consents_accept(member=member, documents=documents, ip_address=client_ip(request))
        request.session.pop(SESSION_KEY, None)
        messages.success(request, _("Merci, votre acceptation est enregistrée."))
        return redirect(next_url or "member_home")
    return render(
        request,
        "accounts/member/consents_accept.html",
        {"form": form, "documents": documents, "next_url": next_url or ""},
    )


@approved_member_required
@require_safe
def member_data(request: HttpRequest) -> HttpResponse:
    """Mes données personnelles: download a copy, or ask for erasure."""
    return render(
        request,
        "accounts/member/data.html",
        {"member": request.user, "deactivated_days": settings.PURGE_DEACTIVATED_AFTER_DAYS},
    )


@never_cache
@approved_member_required
@require_safe
def member_data_export(request: HttpRequest) -> HttpResponse:
    """Everything the product holds about the member, as a JSON file."""
    data = member_export(member=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"ceplus-mes-donnees-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@sensitive_post_parameters("password")
@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_data_erase(request: HttpRequest) -> HttpResponse:
    """Erase my account: password required, after a clear warning. Personal data, address,
    beneficiaries and sessions go at once."""
    member: User = request.user
    form = EraseForm(member=member)
    if request.method == "POST":
        # The password is checked here: count the attempts as allauth does for its own forms.
        allowed = consume(request, action="reauthenticate", user=member)
        form = EraseForm(request.POST, member=member, rate_limited=not allowed)
        if form.is_valid():
            member_erase(member=member, acting_user=member)
            logout(request)
            messages.success(
                request,
                _(
                    "Votre compte et vos données personnelles ont été supprimés. Merci d'avoir utilisé CE+ Services."
                ),
            )
            return redirect("home")
    return render(request, "accounts/member/erase.html", {"form": form, "member": member})


@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_services(request: HttpRequest) -> HttpResponse:
    """Mes services connectés: the services partenaires the member signed in to, what each may
    read, and the button that withdraws it (the service's tokens end at once)."""
    member: User = request.user
    if request.method == "POST":
        client_id = request.POST.get("client", "")
        consent = (
            ServiceConsent.objects.filter(user=member, client_id=client_id).select_related("client").first()
            if client_id and "\x00" not in client_id
            else None
        )
        if consent is not None and service_access_revoke(
            user=member, client=consent.client, acting_user=member
        ):
            messages.success(
                request,
                _(
                    "%(service)s n'a plus accès à votre compte. Il vous demandera votre accord à votre prochaine connexion."
                )
                % {"service": consent.client.name},
            )
        return redirect("member_services")
    consents = ServiceConsent.objects.filter(user=member).select_related("client").order_by("client__name")
    rows = [
        {
            "consent": consent,
            "scopes": [SCOPES[scope] for scope in SCOPES if scope in consent.scopes],
        }
        for consent in consents
    ]
    return render(request, "accounts/member/services.html", {"rows": rows})
