"""State changes of accounts: registration, passwords, and what members do with their data."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Address, Consent, JobTitle, User, normalize_email
from beneficiaries.models import Beneficiary
from beneficiaries.rules import Candidate, check_beneficiary, check_household
from ceplus.emails import absolute_url, queue_email
from ceplus.models import LegalDocument
from structures.models import Invitation, MembershipDecision, Structure
from structures.services import InvitationGone


def password_reset_url(user: User) -> str:
    """An absolute link to allauth's "set a new password" page for ``user``.

    Same token as allauth's own reset flow: it works once, expires after
    ``PASSWORD_RESET_TIMEOUT`` and dies when the password or the email changes.
    """
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    return absolute_url(path)


def password_reset_send(
    *, user: User, template_prefix: str = "account/email/password_reset_key", acting_user: User | None = None
) -> None:
    """Email ``user`` a link to set a new password, as allauth's "J'ai oublié mon mot de passe"
    does. Staff trigger it from the admin; they never see nor set the password themselves."""
    queue_email(
        template_prefix,
        user.email,
        {"user": user, "password_reset_url": password_reset_url(user), "acting_user": acting_user},
        recipient=user,
    )


# --- Registration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountDetails:
    """Step 1 of the wizard, cleaned. The password is already hashed (``make_password``)."""

    last_name: str
    first_name: str
    job_title_id: int
    email: str
    phone: str
    password_hash: str


@dataclass(frozen=True)
class AddressDetails:
    """Step 2 of the wizard, cleaned."""

    line1: str
    postal_code: str
    city: str
    country: str = "France"
    line2: str = ""


@dataclass(frozen=True)
class BeneficiaryDetails:
    """One row of step 3 of the wizard, cleaned."""

    relationship: str
    last_name: str
    first_name: str
    birth_date: datetime.date


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
) -> User | None:
    """Record the registration of a member who came through ``invitation``, pending the
    validation of its structure.

    One transaction writes the user (status pending, the invitation's structure, the password
    hash as given), the delivery address, the beneficiaries, one consent per accepted document
    (version, time, IP), allauth's email address and the first line of the member's status
    history; a personal invitation is consumed in it. A failure at any write leaves nothing.
    Once it commits, the member gets "demande reçue", each manager of a structure notified at
    each registration gets "nouvelle inscription", and an address given through the shared link
    gets allauth's confirmation email.

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
) -> User | None:
    # The invitation's row lock puts simultaneous submissions through one link in a queue: each
    # sees what the previous one committed.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    structure = Structure.objects.get(pk=invitation.structure_id)
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

    job_title = JobTitle.objects.filter(pk=account.job_title_id, is_active=True).first()
    if job_title is None:
        raise RegistrationRefused(
            "account", [_("Cette fonction n'est plus proposée : choisissez-en une autre.")]
        )
    _check_beneficiaries(structure, beneficiaries)
    _check_consents(consents)

    now = timezone.now()
    if personal:
        Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now)
    user = User(
        email=email,
        first_name=account.first_name,
        last_name=account.last_name,
        phone=account.phone,
        job_title=job_title,
        structure=structure,
        invitation=invitation,
        status=User.Status.PENDING,
        date_joined=now,
    )
    user.password = account.password_hash  # hashed by the wizard: never hash it twice
    user.save()
    Address.objects.create(
        user=user,
        line1=address.line1,
        line2=address.line2,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country,
    )
    for beneficiary in beneficiaries:
        Beneficiary.objects.create(
            member=user,
            relationship=beneficiary.relationship,
            last_name=beneficiary.last_name,
            first_name=beneficiary.first_name,
            birth_date=beneficiary.birth_date,
        )
    for document in consents:
        Consent.objects.create(user=user, document=document, accepted_at=now, ip_address=ip_address)
    # A personal invitation came to this very address: it is verified already.
    email_address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=personal)
    MembershipDecision.objects.create(
        member=user,
        structure=structure,
        acting_user=user,
        from_status="",
        to_status=User.Status.PENDING,
        reason=_("Inscription par invitation personnelle")
        if personal
        else _("Inscription par le lien de la structure"),
        created_at=now,
    )

    context = {"member": user, "user": user, "structure": structure, "beneficiary_count": len(beneficiaries)}
    queue_email("accounts/email/registration_received", email, context, recipient=user)
    if structure.notification == Structure.Notification.EACH:
        admin_url = absolute_url(reverse("admin:accounts_user_change", args=[user.pk]))
        for manager in structure.managers.filter(is_active=True).order_by("pk"):
            queue_email(
                "structures/email/new_registration",
                manager.email,
                {**context, "manager": manager, "admin_url": admin_url},
                recipient=manager,
            )
    if not personal:
        _send_email_confirmation(email_address)
    return user


def _check_beneficiaries(structure: Structure, beneficiaries: Sequence[BeneficiaryDetails]) -> None:
    today = timezone.localdate()
    candidates = [
        Candidate(relationship=row.relationship, birth_date=row.birth_date, first_name=row.first_name)
        for row in beneficiaries
    ]
    errors = [
        error for candidate in candidates for error in check_beneficiary(structure, candidate, today=today)
    ]
    errors += check_household(candidates)
    if errors:
        raise RegistrationRefused("beneficiaries", list(dict.fromkeys(error.message for error in errors)))


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
