"""What a validated member changes in the espace adhérent: profile, delivery address, email,
consents. Personal data (export, erasure, purge) lives in ``accounts.privacy``."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import Address, Consent, JobTitle, User
from ceplus.models import LegalDocument


@transaction.atomic
def profile_update(
    *, member: User, last_name: str, first_name: str, job_title: JobTitle, phone, acting_user: User
) -> User:
    """Change the member's name, fonction and phone number (the email changes through allauth,
    with a confirmation of the new address)."""
    member.last_name = last_name
    member.first_name = first_name
    member.job_title = job_title
    member.phone = phone
    member.save(update_fields=["last_name", "first_name", "job_title", "phone"])
    return member


@transaction.atomic
def address_save(
    *, member: User, line1: str, line2: str, postal_code: str, city: str, country: str, acting_user: User
) -> Address:
    """Create or replace the member's delivery address, where tickets are sent."""
    address, _ = Address.objects.update_or_create(
        user=member,
        defaults={
            "line1": line1,
            "line2": line2,
            "postal_code": postal_code,
            "city": city,
            "country": country,
        },
    )
    return address


@transaction.atomic
def current_email_confirm(*, member: User) -> EmailAddress:
    """Record the member's login address as their verified, primary address in allauth.

    Members sign up through the wizard and are validated by their structure; the address they
    log in with has received the product's emails ever since. allauth's email change keeps the
    current address until the new one is confirmed, and then sends a notice to the old one, only
    when the current one is recorded as verified.
    """
    address = EmailAddress.objects.filter(user=member, email__iexact=member.email).first()
    if address is None:
        address = EmailAddress(user=member, email=member.email)
    if not (address.verified and address.primary):
        EmailAddress.objects.filter(user=member, primary=True).exclude(pk=address.pk).update(primary=False)
        address.verified = True
        address.primary = True
        address.save()
    return address


def documents_to_accept(member: User, current: dict | None = None) -> list[LegalDocument]:
    """The versions of CGU, CGV and règlement in force that ``member`` has not accepted yet
    (``current``: the versions in force, when the caller has them already)."""
    if current is None:
        current = LegalDocument.objects.current_set(LegalDocument.CONSENT_KINDS)
    accepted = set(
        Consent.objects.filter(user=member, document__in=current.values()).values_list(
            "document_id", flat=True
        )
    )
    return [
        current[kind]
        for kind in LegalDocument.CONSENT_KINDS
        if kind in current and current[kind].pk not in accepted
    ]


@transaction.atomic
def consents_accept(
    *, member: User, documents: Iterable[LegalDocument], ip_address: str | None
) -> list[Consent]:
    """Record that ``member`` accepted these versions, now (once per version)."""
    now = timezone.now()
    consents = []
    for document in documents:
        consent, _ = Consent.objects.get_or_create(
            user=member, document=document, defaults={"accepted_at": now, "ip_address": ip_address}
        )
        consents.append(consent)
    return consents
