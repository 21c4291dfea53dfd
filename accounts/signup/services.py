"""ENVOYER MA DEMANDE: the registration the signup wizard sends, written in one transaction by
the services that own each part (the member life cycle, the account, the address, the
beneficiaries, the consents)."""

from __future__ import annotations

from collections.abc import Sequence

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import JobTitle, User, normalize_email
from accounts.services import address_save, consents_accept, email_address_add
from accounts.signup.state import AccountDetails, AddressDetails
from beneficiaries.services import BeneficiaryDetails, beneficiaries_declare, proofs_from_drafts
from ceplus.emails import absolute_url, queue_email
from ceplus.models import LegalDocument
from structures.models import Invitation
from structures.roster.decisions import registration_auto_approve
from structures.services import InvitationGone, member_register, registration_announce


class RegistrationRefused(Exception):
    """What the wizard checked no longer holds at submission (the structure changed its rules, a
    job title was withdrawn…). ``step`` names the wizard step to correct; nothing was written."""

    def __init__(self, step: str, messages: list[str]):
        super().__init__(step, messages)
        self.step = step
        self.messages = messages


# The case-insensitive unique email of accounts.User.
EMAIL_CONSTRAINT = "accounts_user_email_ci_unique"


def registration_submit(
    *,
    invitation: Invitation,
    account: AccountDetails,
    address: AddressDetails,
    beneficiaries: Sequence[BeneficiaryDetails],
    consents: Sequence[LegalDocument],
    ip_address: str | None,
    proofs: Sequence[str | None] = (),
) -> User | None:
    """Record the registration of a member who came through ``invitation``, pending the
    validation of its structure.

    One transaction writes the user (status pending, the invitation's structure, the password
    hash as given) and the first line of their status history (``member_register``), the
    delivery address, the beneficiaries (each recorded) with the proofs sent for them at step 3
    (``proofs``: the drafts' tokens, in the beneficiaries' order), one consent per accepted document
    (version, time, IP) and allauth's email address; a personal invitation is consumed in it. A
    failure at any write leaves nothing. A proven address on the staff list of a structure that
    chose so is validated at once (``registration_auto_approve``: "inscription validée", no
    notice to the managers). Otherwise, once it commits, the member gets "demande reçue", each
    manager of a structure notified at each registration gets "nouvelle inscription", and an
    address given through the shared link gets allauth's confirmation email.

    Returns ``None`` when nothing was created: the address already has an account (its owner
    gets allauth's "account already exists" email; the screen must say the same as for a new
    account), or this very submission was recorded already (double click, several tabs).
    Raises ``InvitationGone`` when the invitation stopped working and ``RegistrationRefused``
    when the beneficiaries, the job title or the documents no longer pass.
    """
    try:
        return _registration_create(
            invitation=invitation,
            account=account,
            address=address,
            beneficiaries=beneficiaries,
            consents=consents,
            ip_address=ip_address,
            proofs=proofs,
        )
    except IntegrityError as error:
        if EMAIL_CONSTRAINT not in str(error):
            raise
    # Another registration with this address committed between our check and our insert.
    with transaction.atomic():
        _registration_existing_account(account)
    return None


@transaction.atomic
def _registration_create(
    *,
    invitation: Invitation,
    account: AccountDetails,
    address: AddressDetails,
    beneficiaries: Sequence[BeneficiaryDetails],
    consents: Sequence[LegalDocument],
    ip_address: str | None,
    proofs: Sequence[str | None] = (),
) -> User | None:
    # The invitation's row lock puts simultaneous submissions through one link in a queue: each
    # sees what the previous one committed.
    invitation = Invitation.objects.select_for_update().select_related("structure").get(pk=invitation.pk)
    email = normalize_email(account.email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.password == account.password_hash:
        # The hash's salt is unique to one run of the wizard: this submission is already in.
        return None
    if not invitation.is_usable:
        raise InvitationGone(invitation)
    personal = invitation.kind == Invitation.Kind.PERSONAL
    if personal and normalize_email(invitation.email) != email:
        raise RegistrationRefused(
            "account", [_("Cette invitation personnelle est réservée à une autre adresse.")]
        )
    if existing is not None:
        _registration_existing_account(account)
        return None

    job_title = None
    if account.job_title_id is not None:
        job_title = JobTitle.objects.filter(pk=account.job_title_id, is_active=True).first()
        if job_title is None:
            raise RegistrationRefused(
                "account", [_("Cette fonction n'est plus proposée : choisissez-en une autre.")]
            )
    elif not account.job_title_other:
        raise RegistrationRefused("account", [_("Saisissez votre fonction, par exemple « comptable ».")])
    _check_consents(consents)

    now = timezone.now()
    user = member_register(
        invitation=invitation,
        email=email,
        first_name=account.first_name,
        last_name=account.last_name,
        phone=account.phone,
        job_title=job_title,
        job_title_other=account.job_title_other if job_title is None else "",
        password_hash=account.password_hash,
        now=now,
    )
    try:
        declared = beneficiaries_declare(member=user, rows=beneficiaries, acting_user=user)
    except ValidationError as error:
        raise RegistrationRefused("beneficiaries", error.messages) from error
    # The proofs sent at step 3 (drafts named by the wizard's session), each to its beneficiary.
    proofs_from_drafts(beneficiaries=declared, tokens=proofs, acting_user=user)
    address_save(member=user, acting_user=user, **_address_values(address))
    consents_accept(member=user, documents=consents, ip_address=ip_address, accepted_at=now)
    # A personal invitation came to this very address: it is verified already.
    email_address = email_address_add(user=user, email=email, verified=personal)

    # A structure may have its staff list validate a proven address at once: the member then
    # gets "inscription validée" instead of "demande reçue", and the managers have nothing to do.
    if registration_auto_approve(member=user) is None:
        queue_email(
            "accounts/email/registration_received",
            email,
            {
                "member": user,
                "user": user,
                "structure": user.structure,
                "beneficiary_count": len(beneficiaries),
            },
            recipient=user,
        )
        registration_announce(member=user, beneficiary_count=len(beneficiaries))
    if not personal:
        _send_email_confirmation(email_address)
    return user


def _address_values(address: AddressDetails) -> dict:
    return {
        "line1": address.line1,
        "line2": address.line2,
        "postal_code": address.postal_code,
        "city": address.city,
        "country": address.country,
    }


def _check_consents(consents: Sequence[LegalDocument]) -> None:
    kinds = sorted(document.kind for document in consents)
    if kinds != sorted(LegalDocument.CONSENT_KINDS) or not all(
        document.is_published for document in consents
    ):
        raise RegistrationRefused("validation", [_("Acceptez les CGU, les CGV et le règlement en vigueur.")])


def _registration_existing_account(account: AccountDetails) -> None:
    """Someone registers with the address of an existing account. Unless it is the same
    submission sent twice, the owner gets allauth's "account already exists" email; the screen
    says nothing of it (anti-enumeration)."""
    email = normalize_email(account.email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.password == account.password_hash:
        return
    get_adapter().send_mail(
        "account/email/account_already_exists",
        email,
        {
            # The adapter files the email under this account (``OutgoingEmail.recipient``).
            "user": existing,
            "email": email,
            "password_reset_url": absolute_url(reverse("account_reset_password")),
            "signup_url": absolute_url(reverse("signup_info")),
        },
    )


def _send_email_confirmation(email_address: EmailAddress) -> None:
    """allauth's "confirm your address" email, with an absolute link that works outside a
    request (``SITE_URL``)."""
    confirmation = EmailConfirmationHMAC(email_address)
    activate_url = absolute_url(reverse("account_confirm_email", args=[confirmation.key]))
    get_adapter().send_mail(
        "account/email/email_confirmation_signup",
        email_address.email,
        {
            "user": email_address.user,
            "key": confirmation.key,
            "activate_url": activate_url,
            "email": email_address.email,
        },
    )
