"""State changes of identity: accounts, their passwords, addresses, email addresses and
consents. The one writer of ``User`` (but for the member life cycle's fields, which
``structures.services`` sets), ``Address``, ``Consent`` and allauth's ``EmailAddress``.

Each function runs in one transaction, records who did what (``accounts.events``) and queues
its emails through ``ceplus.emails`` (sent once the transaction commits).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.idp.oidc.models import Client, Token
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import to_python as to_phone

from accounts.events import event_record, field_changes
from accounts.models import Address, Consent, Event, JobTitle, ServiceConsent, User, normalize_email
from ceplus.emails import absolute_url, queue_email
from ceplus.models import LegalDocument, OutgoingEmail

ADDRESS_FIELDS = ("line1", "line2", "postal_code", "city", "country")
PROFILE_FIELDS = ("last_name", "first_name", "job_title", "job_title_other", "phone")
ACTIVATION_TEMPLATE = "account/email/activation"


# --- Accounts ------------------------------------------------------------------------------------


def user_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    job_title: JobTitle | None = None,
    job_title_other: str = "",
    password_hash: str | None = None,
    structure=None,
    invitation=None,
    status: str = User.Status.APPROVED,
    status_changed_at: datetime.datetime | None = None,
    is_staff: bool = False,
    date_joined: datetime.datetime | None = None,
) -> User:
    """Create an account. ``password_hash`` is a hash already made (the wizard's: never hashed
    twice); without one the account has no usable password and its owner chooses one through a
    reset link. ``job_title_other`` is a fonction typed by the person when it is not in the
    list ("Autre"). A member's structure and status are given by the member life cycle
    (``structures.services``), the only caller that passes them."""
    user = User(
        email=normalize_email(email),
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        job_title=job_title,
        job_title_other=job_title_other,
        structure=structure,
        invitation=invitation,
        status=status,
        status_changed_at=status_changed_at,
        is_staff=is_staff,
        date_joined=date_joined or timezone.now(),
    )
    if password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def profile_update(
    *,
    member: User,
    last_name: str,
    first_name: str,
    job_title: JobTitle | None,
    phone,
    acting_user: User | None,
    job_title_other: str | None = None,
) -> list[dict[str, str]]:
    """Change the member's name, fonction and phone number (the email changes through allauth,
    with a confirmation of the new address). Records each changed field, before and after, and
    who changed it; nothing changed, nothing recorded. Returns the changes.

    ``job_title_other`` is the fonction typed when it is not in the list ("Autre"); ``None``
    keeps the one recorded, except that a title of the list replaces it."""
    if isinstance(phone, str):
        # A number as text ("+33612345678", "06 12 34 56 78") compares as the number it is.
        phone = to_phone(phone, region=settings.PHONENUMBER_DEFAULT_REGION) if phone else ""
    member = User.objects.select_for_update().get(pk=member.pk)
    if job_title_other is None:
        job_title_other = "" if job_title is not None else member.job_title_other
    before = {name: getattr(member, name) for name in PROFILE_FIELDS}
    after = {
        "last_name": last_name,
        "first_name": first_name,
        "job_title": job_title,
        "job_title_other": job_title_other,
        "phone": phone,
    }
    changes = field_changes(User, before, after, PROFILE_FIELDS)
    if not changes:
        return []
    for name, value in after.items():
        setattr(member, name, value)
    member.save(update_fields=list(PROFILE_FIELDS))
    event_record(kind=Event.Kind.PROFILE_CHANGED, acting_user=acting_user, member=member, changes=changes)
    return changes


@transaction.atomic
def account_update(
    *, user: User, values: dict, groups: Iterable[Group] | None = None, acting_user: User | None
) -> list[dict[str, str]]:
    """Staff change an account of the staff or of a manager: name, phone, rights (active, staff,
    superuser, groups). Records each changed field and who changed it."""
    user = User.objects.select_for_update().get(pk=user.pk)
    names = list(values)
    before = {name: getattr(user, name) for name in names}
    changes = field_changes(User, before, values, names)
    if groups is not None:
        groups = list(groups)
        old = sorted(group.name for group in user.groups.all())
        new = sorted(group.name for group in groups)
        if old != new:
            changes += field_changes(User, {"groups": old}, {"groups": new}, ["groups"])
            user.groups.set(groups)
    for name, value in values.items():
        setattr(user, name, value)
    if names:
        user.save(update_fields=names)
    if changes:
        event_record(kind=Event.Kind.ACCOUNT_CHANGED, acting_user=acting_user, member=user, changes=changes)
    return changes


# --- Passwords -----------------------------------------------------------------------------------


def password_reset_url(user: User) -> str:
    """An absolute link to allauth's "set a new password" page for ``user``.

    Same token as allauth's own reset flow: it works once, expires after
    ``PASSWORD_RESET_TIMEOUT`` and dies when the password or the email changes.
    """
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    return absolute_url(path)


@transaction.atomic
def password_reset_send(
    *, user: User, template_prefix: str = "account/email/password_reset_key", acting_user: User | None = None
) -> None:
    """Email ``user`` a link to set a new password, as allauth's "J'ai oublié mon mot de passe"
    does. Staff and managers trigger it from the admin (recorded with who asked); they never
    see nor set the password themselves."""
    queue_email(
        template_prefix,
        user.email,
        {"user": user, "password_reset_url": password_reset_url(user), "acting_user": acting_user},
        recipient=user,
    )
    if acting_user is not None:
        event_record(kind=Event.Kind.PASSWORD_RESET_SENT, acting_user=acting_user, member=user)


@transaction.atomic
def second_factor_reset(*, user: User, acting_user: User) -> int:
    """Remove every second factor of ``user`` (authenticator app, security keys, recovery
    codes) when they lost them, at the request of CE+ Services staff (``acting_user``; the caller
    checks it is staff). Recorded, and the person is told by email; an admin account is then
    asked to set up a new factor at its next sign-in. Returns how many were removed."""
    removed, _by_model = Authenticator.objects.filter(user=user).delete()
    if removed:
        event_record(kind=Event.Kind.SECOND_FACTOR_RESET, acting_user=acting_user, member=user)
        queue_email("mfa/email/second_factor_reset", user.email, {"user": user}, recipient=user)
    return removed


def activation_needed(user: User) -> bool:
    """A validated, active member who has not chosen a password on the new site yet."""
    return (
        user.is_member
        and user.is_active
        and user.status == User.Status.APPROVED
        and not user.has_usable_password()
    )


def activation_candidates(queryset: QuerySet[User]) -> QuerySet[User]:
    """The users of ``queryset`` that :func:`activation_needed` accepts, in one query."""
    return queryset.filter(
        structure__isnull=False,
        is_active=True,
        status=User.Status.APPROVED,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
    )


class ActivationNotNeeded(Exception):
    """The account already has a password, or is not a validated active member."""


@transaction.atomic
def activation_email_send(*, user: User, acting_user: User | None) -> OutgoingEmail:
    """Email a member imported from the former site the "activez votre compte sur le nouveau
    site" message, with a link to choose their password (the reset link: it works once and
    expires after ``PASSWORD_RESET_TIMEOUT``; the email tells them how to get a new one)."""
    if not activation_needed(user):
        raise ActivationNotNeeded(user.pk)
    email = queue_email(
        ACTIVATION_TEMPLATE,
        user.email,
        {
            "user": user,
            "email": user.email,
            "password_reset_url": password_reset_url(user),
            "link_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            "login_url": absolute_url(reverse("account_login")),
            "acting_user": acting_user,
        },
        recipient=user,
    )
    event_record(kind=Event.Kind.ACTIVATION_SENT, acting_user=acting_user, member=user)
    return email


# --- Delivery address ----------------------------------------------------------------------------


@transaction.atomic
def address_save(
    *,
    member: User,
    line1: str,
    line2: str,
    postal_code: str,
    city: str,
    country: str,
    acting_user: User | None,
) -> tuple[Address, list[dict[str, str]]]:
    """Create or replace the member's delivery address, where tickets are sent. Records each
    changed line and who changed it; the same address again records nothing. Returns the
    address and the changes."""
    values = {"line1": line1, "line2": line2, "postal_code": postal_code, "city": city, "country": country}
    address = Address.objects.select_for_update().filter(user=member).first()
    before = {name: getattr(address, name) for name in ADDRESS_FIELDS} if address else {}
    changes = field_changes(Address, before, values, ADDRESS_FIELDS)
    if address is None:
        address = Address(user=member)
    if changes:
        for name, value in values.items():
            setattr(address, name, value)
        address.save()
        event_record(kind=Event.Kind.ADDRESS_CHANGED, acting_user=acting_user, member=member, changes=changes)
    return address, changes


# --- Email addresses (allauth's) -----------------------------------------------------------------


def email_address_add(*, user: User, email: str, verified: bool) -> EmailAddress:
    """The account's login address in allauth's table, primary; ``verified`` when it came
    through a link sent to that very address (a personal invitation)."""
    return EmailAddress.objects.create(
        user=user, email=normalize_email(email), primary=True, verified=verified
    )


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


# --- Consents ------------------------------------------------------------------------------------


def documents_to_accept(member: User, current: dict | None = None) -> list[LegalDocument]:
    """The versions of CGU, CGV and règlement in force that ``member`` has not accepted yet
    (``current``: the versions in force, when the caller has them already). Reads the
    documents' text only when there is one to accept."""
    if current is None:
        ids = LegalDocument.objects.current_ids(LegalDocument.CONSENT_KINDS)
    else:
        ids = {kind: document.pk for kind, document in current.items()}
    accepted = set(
        Consent.objects.filter(user=member, document__in=ids.values()).values_list("document_id", flat=True)
    )
    missing = [ids[kind] for kind in LegalDocument.CONSENT_KINDS if kind in ids and ids[kind] not in accepted]
    if not missing:
        return []
    documents = (
        {document.pk: document for document in current.values()}
        if current is not None
        else LegalDocument.objects.in_bulk(missing)
    )
    return [documents[pk] for pk in missing]


@transaction.atomic
def consents_accept(
    *,
    member: User,
    documents: Iterable[LegalDocument],
    ip_address: str | None,
    accepted_at: datetime.datetime | None = None,
) -> list[Consent]:
    """Record that ``member`` accepted these versions (once per version), with the time and the
    IP address: the consent is its own record."""
    accepted_at = accepted_at or timezone.now()
    consents = []
    for document in documents:
        consent, _ = Consent.objects.get_or_create(
            user=member, document=document, defaults={"accepted_at": accepted_at, "ip_address": ip_address}
        )
        consents.append(consent)
    return consents


# --- Job titles ----------------------------------------------------------------------------------


@transaction.atomic
def job_title_save(*, job_title: JobTitle) -> JobTitle:
    """Add or change a job title of the reference list (staff, in the admin)."""
    job_title.save()
    return job_title


# --- Services partenaires (the portal as their OpenID Connect provider) -------------------------


def _scopes_in_words(scopes: Iterable[str]) -> str:
    return ", ".join(sorted(scopes)) or "—"


@transaction.atomic
def service_consent_record(
    *, user: User, client: Client, requested: Iterable[str], granted: Iterable[str]
) -> ServiceConsent:
    """Keep what ``user`` allowed ``client`` to read on the consent page: of the scopes the
    service asked (``requested``), those granted; the scopes granted earlier and not asked this
    time stay. Recorded when it changes what the service may read."""
    requested, granted = set(requested), set(granted)
    consent = ServiceConsent.objects.select_for_update().filter(user=user, client=client).first()
    before = set(consent.scopes) if consent is not None else set()
    after = (before - requested) | (granted & requested)
    if consent is None:
        consent = ServiceConsent(user=user, client=client)
    elif after == before:
        return consent
    consent.scopes = sorted(after)
    consent.updated_at = timezone.now()
    consent.save()
    event_record(
        kind=Event.Kind.SERVICE_CONSENTED,
        acting_user=user,
        member=user,
        description=client.name,
        changes=[
            {"field": "autorisations", "before": _scopes_in_words(before), "after": _scopes_in_words(after)}
        ],
    )
    return consent


def _tokens_delete(tokens: QuerySet[Token]) -> int:
    """Delete access and refresh tokens: the services' next call with them answers 401."""
    deleted, _ = tokens.filter(type__in=[Token.Type.ACCESS_TOKEN, Token.Type.REFRESH_TOKEN]).delete()
    return deleted


@transaction.atomic
def service_access_revoke(*, user: User, client: Client, acting_user: User | None) -> bool:
    """Withdraw what ``user`` allowed ``client``: their consent and every token the service
    holds for them (it must ask again, and be allowed again, to read anything). Recorded; ``False``
    when there was nothing to withdraw."""
    consents, _ = ServiceConsent.objects.filter(user=user, client=client).delete()
    tokens = _tokens_delete(Token.objects.filter(user=user, client=client))
    if not consents and not tokens:
        return False
    event_record(
        kind=Event.Kind.SERVICE_REVOKED, acting_user=acting_user, member=user, description=client.name
    )
    return True


def service_tokens_revoke(*, user: User) -> int:
    """End every service partenaire's access to ``user`` now (their access ends: deactivation,
    refusal): their tokens are deleted, in the caller's transaction. Their consents stay: they
    are the person's choices, worth again if their access comes back. The authorization codes
    not yet exchanged are refused by the provider itself (``structures.partners.adapter``)."""
    return _tokens_delete(Token.objects.filter(user=user))
