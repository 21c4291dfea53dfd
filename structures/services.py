"""State changes of structures, their managers, their invitations and their members' life cycle.

Every function here is the one place where its change happens: the signup, the import, the
admin and the management commands call it. Each runs in one transaction, records who did what
in it (a ``MembershipDecision`` for the life cycle, an ``accounts.Event`` for the rest) and
queues its emails through ``ceplus.emails.queue_email`` (sent once the transaction commits).
The member life cycle (``structures.lifecycle``) is applied by ``member_transition`` alone.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from allauth.idp.oidc.adapter import get_adapter as get_oidc_adapter
from allauth.idp.oidc.models import Client
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.events import display, event_record, field_changes
from accounts.models import Event, JobTitle, User, normalize_email
from accounts.services import password_reset_url, service_tokens_revoke, user_create
from beneficiaries.models import ProofKind, Relationship
from ceplus.emails import absolute_url, queue_email
from structures import lifecycle
from structures.lifecycle import Transition
from structures.models import Invitation, MembershipDecision, PartnerService, Structure, StructureLogo
from structures.permissions import manager_group
from structures.scoping import is_staff_wide, may_see_structure

# A personal invitation works this long unless the manager says otherwise; a resent expired
# one gets this long again.
INVITATION_VALIDITY = datetime.timedelta(days=30)
# One sending of personal invitations: the emails are written in the request's transaction.
MAX_INVITATIONS_PER_SEND = 1000
# A digest lists this many registrations by name, then says how many more there are.
DIGEST_LIST_LIMIT = 50


# --- Invitations ---------------------------------------------------------------------------------


# What ``structures.models.new_token`` makes: URL-safe base64, 43 characters today.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


class InvitationInvalid(Exception):
    """The token matches no invitation (forged or mistyped): answer 404."""


class InvitationGone(Exception):
    """The invitation existed but is expired, revoked or used: answer 410."""

    def __init__(self, invitation: Invitation):
        super().__init__(invitation.state)
        self.invitation = invitation


class InvitationError(Exception):
    """An invitation tool was asked for something the invitation's state does not allow; the
    message says why, in French, for the person who asked."""


def invitation_resolve(*, token: str) -> Invitation:
    """The usable invitation behind ``token``, or ``InvitationInvalid`` / ``InvitationGone``."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        # Not one of our tokens (nor anything the database should see: NUL bytes, huge input).
        raise InvitationInvalid
    invitation = Invitation.objects.select_related("structure").filter(token=token).first()
    if invitation is None:
        raise InvitationInvalid
    if not invitation.is_usable:
        raise InvitationGone(invitation)
    return invitation


def invitation_url(invitation: Invitation) -> str:
    """The absolute link of an invitation, as emails and the copy button give it."""
    return absolute_url(invitation.get_absolute_url())


@transaction.atomic
def shared_invitation_get_or_create(*, structure: Structure, acting_user: User | None = None) -> Invitation:
    """The structure's live shared link, created on first use."""
    Structure.objects.select_for_update().get(pk=structure.pk)
    invitation = structure.invitations.filter(kind=Invitation.Kind.SHARED, revoked_at__isnull=True).first()
    if invitation is None:
        invitation = Invitation.objects.create(
            structure=structure, kind=Invitation.Kind.SHARED, created_by=acting_user
        )
        event_record(kind=Event.Kind.SHARED_LINK_CREATED, acting_user=acting_user, structure=structure)
    return invitation


@transaction.atomic
def shared_invitation_regenerate(
    *, structure: Structure, acting_user: User | None, expires_at: datetime.datetime | None = None
) -> Invitation:
    """Kill the structure's shared link and make a new one: the old link stops working at once."""
    Structure.objects.select_for_update().get(pk=structure.pk)
    structure.invitations.filter(kind=Invitation.Kind.SHARED, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    event_record(kind=Event.Kind.SHARED_LINK_REGENERATED, acting_user=acting_user, structure=structure)
    return Invitation.objects.create(
        structure=structure, kind=Invitation.Kind.SHARED, expires_at=expires_at, created_by=acting_user
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, acting_user: User | None) -> None:
    """The link stops working at once; registrations already made through it stay. Recorded
    with who revoked it; revoking a revoked link does nothing."""
    revoked = Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    invitation.refresh_from_db(fields=["revoked_at"])
    if revoked:
        event_record(
            kind=Event.Kind.INVITATION_REVOKED,
            acting_user=acting_user,
            structure=invitation.structure,
            description=_invitation_name(invitation),
        )


@transaction.atomic
def invitation_set_expiry(
    *, invitation: Invitation, expires_at: datetime.datetime | None, acting_user: User | None
) -> Invitation:
    """Set (or remove, with ``None``) the date after which the link stops working."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.revoked_at or locked.used_at:
        raise InvitationError(_("Cette invitation n'est plus valable : sa date d'expiration ne change plus."))
    if expires_at is not None and expires_at <= timezone.now():
        raise InvitationError(_("Choisissez une date d'expiration dans le futur."))
    changes = field_changes(
        Invitation, {"expires_at": locked.expires_at}, {"expires_at": expires_at}, ["expires_at"]
    )
    locked.expires_at = expires_at
    locked.save(update_fields=["expires_at"])
    invitation.expires_at = expires_at
    if changes:
        event_record(
            kind=Event.Kind.INVITATION_EXPIRY_CHANGED,
            acting_user=acting_user,
            structure=locked.structure,
            description=_invitation_name(locked),
            changes=changes,
        )
    return locked


@dataclass
class InvitationReport:
    """What became of each address of a sending of personal invitations."""

    sent: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    already_invited: list[str] = field(default_factory=list)


def _invitation_name(invitation: Invitation) -> str:
    """The invitation as the history names it: the shared link, or the personal one's address."""
    if invitation.kind == Invitation.Kind.PERSONAL:
        return _("Invitation personnelle de %(email)s") % {"email": invitation.email}
    return _("Lien partagé")


def _invitation_email(invitation: Invitation, acting_user: User | None) -> None:
    queue_email(
        "structures/email/invitation",
        invitation.email,
        {
            "invitation": invitation,
            "structure": invitation.structure,
            "invitation_url": invitation_url(invitation),
            "acting_user": acting_user,
        },
    )


@transaction.atomic
def invitations_send(
    *,
    structure: Structure,
    emails: Iterable[str],
    acting_user: User | None,
    expires_at: datetime.datetime | None = None,
) -> InvitationReport:
    """Send a personal invitation to each address: one email each with its own link.

    ``emails`` are addresses a form already validated. Skipped, and reported: the same address
    twice, the structure's own members, and addresses with a valid invitation of the structure
    already (resend that one instead). An address with an account elsewhere gets the invitation
    like any other: telling the manager would reveal another structure's member.
    """
    Structure.objects.select_for_update().get(pk=structure.pk)
    now = timezone.now()
    report = InvitationReport()
    unique: list[str] = []
    for email in emails:
        email = normalize_email(email)
        if email in unique:
            if email not in report.duplicates:
                report.duplicates.append(email)
        else:
            unique.append(email)
    if len(unique) > MAX_INVITATIONS_PER_SEND:
        raise InvitationError(
            _("Envoyez au plus %(max)d invitations à la fois.") % {"max": MAX_INVITATIONS_PER_SEND}
        )
    members = set(
        User.objects.alias(email_lower=Lower("email"))
        .filter(structure=structure, email_lower__in=unique)
        .values_list("email", flat=True)
    )
    invited = set(
        structure.invitations.usable(now)
        .filter(kind=Invitation.Kind.PERSONAL, email__in=unique)
        .values_list("email", flat=True)
    )
    invitations = []
    for email in unique:
        if email in members:
            report.members.append(email)
        elif email in invited:
            report.already_invited.append(email)
        else:
            invitations.append(
                Invitation(
                    structure=structure,
                    kind=Invitation.Kind.PERSONAL,
                    email=email,
                    expires_at=expires_at or now + INVITATION_VALIDITY,
                    sent_at=now,
                    created_by=acting_user,
                )
            )
    for invitation in Invitation.objects.bulk_create(invitations):
        invitation.structure = structure
        _invitation_email(invitation, acting_user)
        report.sent.append(invitation.email)
    if report.sent:
        event_record(
            kind=Event.Kind.INVITATIONS_SENT,
            acting_user=acting_user,
            structure=structure,
            description=ngettext(
                "%(count)d invitation personnelle : %(list)s",
                "%(count)d invitations personnelles : %(list)s",
                len(report.sent),
            )
            % {"count": len(report.sent), "list": ", ".join(report.sent)},
        )
    return report


@transaction.atomic
def invitation_resend(*, invitation: Invitation, acting_user: User | None) -> Invitation:
    """Email a personal invitation again; an expired one gets a new expiry date first."""
    locked = Invitation.objects.select_for_update().select_related("structure").get(pk=invitation.pk)
    if locked.kind != Invitation.Kind.PERSONAL:
        raise InvitationError(_("Le lien partagé ne s'envoie pas par email : copiez-le depuis sa page."))
    if locked.revoked_at:
        raise InvitationError(_("L'invitation de %(email)s est révoquée.") % {"email": locked.email})
    if locked.used_at:
        raise InvitationError(_("L'invitation de %(email)s a déjà servi.") % {"email": locked.email})
    now = timezone.now()
    if locked.expires_at and locked.expires_at <= now:
        locked.expires_at = now + INVITATION_VALIDITY
    locked.sent_at = now
    locked.save(update_fields=["expires_at", "sent_at"])
    _invitation_email(locked, acting_user)
    event_record(
        kind=Event.Kind.INVITATION_RESENT,
        acting_user=acting_user,
        structure=locked.structure,
        description=_invitation_name(locked),
    )
    return locked


# --- Structures ----------------------------------------------------------------------------------

# What a structure lets its staff list decide: its managers set these as well as staff.
ROSTER_SETTINGS = ("roster_auto_approve", "roster_auto_deactivate", "reminder_delay_days")
# What a structure's managers set themselves: the staff list's settings and their message.
MANAGER_SETTINGS = (*ROSTER_SETTINGS, "contact_message")
# The fields of a structure that staff set, in the order the history lists them.
STRUCTURE_FIELDS = (
    "name",
    "kind",
    "allowed_beneficiary_kinds",
    "proof_required_kinds",
    "accepted_proofs",
    "child_age_limit",
    "child_extended_age_limit",
    "child_extended_proofs",
    "child_age_reference",
    "notification",
    "contact_email",
    "contact_phone",
    "contact_hours",
    "contact_message",
    *ROSTER_SETTINGS,
)


# The structure's rules kept as lists of codes, which the history says by their French names.
CODE_LISTS = {
    "allowed_beneficiary_kinds": dict(Relationship.choices),
    "proof_required_kinds": dict(Relationship.choices),
    "accepted_proofs": dict(ProofKind.choices),
    "child_extended_proofs": dict(ProofKind.choices),
}


def _in_words(values: dict) -> dict:
    """``values`` with the lists of codes (links, documents) named as a person reads them."""
    return {
        name: [str(CODE_LISTS[name].get(code, code)) for code in value]
        if name in CODE_LISTS and isinstance(value, list | tuple)
        else value
        for name, value in values.items()
    }


def _logo_set(
    *, structure: Structure, logo: StructureLogo | None, remove: bool = False
) -> list[dict[str, str]]:
    """Store ``logo`` (an unsaved ``StructureLogo``, as a form cleaned it) as the structure's, or
    remove the one it has; the change as the history shows it (the image's type and size, never
    its bytes)."""
    current = StructureLogo.objects.filter(structure=structure).first()
    before = current.description if current else "—"
    if logo is not None:
        logo.structure = structure
        logo.save()
        after = logo.description
        if current is not None and current.digest == logo.digest:
            return []
    elif remove and current is not None:
        current.delete()
        after = "—"
    else:
        return []
    # The logo's address names its version: the next reading asks the database again.
    structure.__dict__.pop("logo_path", None)
    return [{"field": str(StructureLogo._meta.verbose_name), "before": before, "after": after}]


@transaction.atomic
def structure_create(
    *, structure: Structure, acting_user: User | None, logo: StructureLogo | None = None
) -> Structure:
    """Save a new structure (staff; ``structure`` is unsaved, as a form fills it in), with its
    logo if one is given (an unsaved ``StructureLogo``) and its shareable invitation link ready
    to copy."""
    structure.save()
    changes = field_changes(
        Structure,
        {},
        _in_words({name: getattr(structure, name) for name in STRUCTURE_FIELDS}),
        STRUCTURE_FIELDS,
    )
    if logo is not None:
        changes += _logo_set(structure=structure, logo=logo)
    event_record(
        kind=Event.Kind.STRUCTURE_CREATED,
        acting_user=acting_user,
        structure=structure,
        changes=changes,
    )
    shared_invitation_get_or_create(structure=structure, acting_user=acting_user)
    return structure


@transaction.atomic
def structure_update(
    *,
    structure: Structure,
    values: dict,
    acting_user: User | None,
    logo: StructureLogo | None = None,
    logo_remove: bool = False,
) -> list[dict[str, str]]:
    """Change a structure's name, kind, beneficiary rules, notifications or contact (staff),
    or its managers' settings (``MANAGER_SETTINGS``: its managers too; the caller checks who may
    change what),
    and its logo: ``logo`` (an unsaved ``StructureLogo``) replaces it, ``logo_remove`` takes it
    away. Records each changed field before and after; the beneficiaries already declared stay
    (the rules apply to the next changes)."""
    locked = Structure.objects.select_for_update().get(pk=structure.pk)
    before = {name: getattr(locked, name) for name in values}
    changes = field_changes(
        Structure,
        _in_words(before),
        _in_words(values),
        [name for name in STRUCTURE_FIELDS if name in values],
    )
    for name, value in values.items():
        setattr(locked, name, value)
        setattr(structure, name, value)
    if changes:
        locked.save(update_fields=list(values))
    if logo is not None or logo_remove:
        changes += _logo_set(structure=structure, logo=logo, remove=logo_remove)
    if changes:
        event_record(
            kind=Event.Kind.STRUCTURE_CHANGED, acting_user=acting_user, structure=locked, changes=changes
        )
    return changes


# --- Services partenaires ----------------------------------------------------------------------


def _partner_service_state(service: PartnerService) -> dict:
    """A service as its history shows it."""
    client = service.client
    return {
        "name": client.name,
        "description": service.description,
        "url": service.url,
        "initiate_login_uri": service.initiate_login_uri,
        "redirect_uris": client.get_redirect_uris(),
        "scopes": client.get_scopes(),
        "structures": sorted(structure.name for structure in service.structures.all()) if service.pk else [],
        "logo": service.logo_digest[:12] if service.logo_digest else "",
    }


PARTNER_SERVICE_LABELS = {
    "name": _("nom"),
    "description": _("description courte"),
    "url": _("adresse"),
    "initiate_login_uri": _("adresse de connexion"),
    "redirect_uris": _("adresses de retour"),
    "scopes": _("autorisations"),
    "structures": _("structures"),
    "logo": _("logo"),
}


@transaction.atomic
def partner_service_save(
    *,
    service: PartnerService | None,
    name: str,
    url: str,
    redirect_uris: list[str],
    scopes: list[str],
    structures: Iterable[Structure] = (),
    description: str = "",
    initiate_login_uri: str = "",
    logo: tuple[bytes, str] | None = None,
    logo_remove: bool = False,
    acting_user: User | None,
    client_id: str | None = None,
    secret: str | None = None,
) -> tuple[PartnerService, str | None]:
    """Register a service partenaire (``service`` is ``None``: staff, the admin or
    ``manage.py oidc_client``) or change one: its OpenID Connect client (allauth's ``Client``:
    a confidential client, authorization code flow, the given redirect URIs and scopes) and how
    the espace adhérent shows it (description, address, logo as ``(bytes, type)``, the
    structures whose members see its tile). Recorded. Returns the service and, at its
    registration only, the client's secret: it is stored hashed and never shown again. A
    ``client_id`` and ``secret`` chosen by the caller (the demo's, printed with its accounts)
    replace the random ones at the registration."""
    if service is None:
        client = Client(
            name=name,
            type=Client.Type.CONFIDENTIAL,
            skip_consent=False,
        )
        if client_id:
            client.id = client_id
        client.set_grant_types([Client.GrantType.AUTHORIZATION_CODE, Client.GrantType.REFRESH_TOKEN])
        client.set_response_types([Client.ResponseType.CODE])
        client.set_default_scopes(["openid"])
        secret = secret or get_oidc_adapter().generate_client_secret()
        client.set_secret(secret)
        service = PartnerService(client=client)
        before: dict = {}
    else:
        client = service.client
        before = _partner_service_state(service)
        secret = None
    client.name = name
    client.set_redirect_uris(list(redirect_uris))
    client.set_scopes(list(scopes))
    client.clean()
    client.save()
    service.client = client
    service.description = description
    service.url = url
    service.initiate_login_uri = initiate_login_uri
    if logo is not None:
        service.logo, service.logo_type = logo
        service.logo_digest = hashlib.sha256(logo[0]).hexdigest()
    elif logo_remove:
        service.logo, service.logo_type, service.logo_digest = None, "", ""
    service.save()
    service.structures.set(list(structures))
    after = _partner_service_state(service)
    changes = [
        {
            "field": str(PARTNER_SERVICE_LABELS[key]),
            "before": display(before.get(key)),
            "after": display(value),
        }
        for key, value in after.items()
        if display(before.get(key)) != display(value)
    ]
    if changes or secret:
        event_record(
            kind=Event.Kind.PARTNER_SERVICE_CREATED if secret else Event.Kind.PARTNER_SERVICE_CHANGED,
            acting_user=acting_user,
            description=name,
            changes=changes,
        )
    return service, secret


@transaction.atomic
def invitations_forget(*, member: User, verified_emails) -> int:
    """Delete the personal invitations that are ``member``'s, when their account is erased: the
    one they registered with, and those of any structure sent to one of ``verified_emails`` (the
    addresses they proved are theirs), exactly; the address is all such an invitation holds
    about a person. Never a shared link, nor an invitation to an address they have not proved,
    their login included, even from their own structure: that is its structure's record about
    someone else, as far as anyone can tell."""
    deleted, _ = Invitation.objects.filter(
        Q(pk=member.invitation_id) | Q(email__in=verified_emails), kind=Invitation.Kind.PERSONAL
    ).delete()
    return deleted


# --- Managers ------------------------------------------------------------------------------------


@transaction.atomic
def manager_add(*, structure: Structure, user: User, acting_user: User | None = None) -> None:
    """Make ``user`` a manager (gestionnaire) of ``structure``: admin access to its members, with
    the managers' group's permissions."""
    if structure.managers.filter(pk=user.pk).exists():
        return
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    structure.managers.add(user)
    user.groups.add(manager_group())
    event_record(
        kind=Event.Kind.MANAGER_ADDED,
        acting_user=acting_user,
        structure=structure,
        description=f"{user.get_full_name()} ({user.email})".strip(),
    )


@transaction.atomic
def manager_remove(*, structure: Structure, user: User, acting_user: User | None) -> None:
    """``user`` stops managing ``structure``; with no structure left, they leave the managers'
    group and, unless they are CE+ Services staff, the admin site."""
    structure.managers.remove(user)
    if not user.managed_structures.exists():
        user.groups.remove(manager_group())
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    event_record(
        kind=Event.Kind.MANAGER_REMOVED,
        acting_user=acting_user,
        structure=structure,
        description=f"{user.get_full_name()} ({user.email})".strip(),
    )


@dataclass(frozen=True)
class ManagerInvitation:
    user: User
    account_created: bool
    already_manager: bool


@transaction.atomic
def manager_invite(
    *, structure: Structure, email: str, first_name: str = "", last_name: str = "", acting_user: User | None
) -> ManagerInvitation:
    """Make the person at ``email`` a manager of ``structure`` and tell them by email.

    A new account gets an unusable password and a link to set one (the password reset link:
    nobody but its owner ever knows the password). An existing account keeps its password and
    is told where to log in. Someone who already manages the structure gets nothing new.
    """
    email = normalize_email(email)
    user = User.objects.alias(email_lower=Lower("email")).filter(email_lower=email).first()
    account_created = user is None
    if account_created:
        user = user_create(
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            status=User.Status.APPROVED,
            is_staff=True,
        )
    elif structure.managers.filter(pk=user.pk).exists():
        return ManagerInvitation(user=user, account_created=False, already_manager=True)
    manager_add(structure=structure, user=user, acting_user=acting_user)
    queue_email(
        "structures/email/manager_invitation",
        user.email,
        {
            "user": user,
            "structure": structure,
            "acting_user": acting_user,
            "set_password_url": None if user.has_usable_password() else password_reset_url(user),
            "forgot_password_url": absolute_url(reverse("account_reset_password")),
            "admin_url": absolute_url(reverse("admin:index")),
        },
        recipient=user,
    )
    return ManagerInvitation(user=user, account_created=account_created, already_manager=False)


# --- The member life cycle -----------------------------------------------------------------------


class DecisionNotAllowed(Exception):
    """The member's status does not allow this decision, perhaps because another manager decided
    a moment before; the message says so in French."""


def _decision_record(
    *,
    member: User,
    structure: Structure,
    from_status: str,
    to_status: str,
    acting_user: User | None,
    reason: str,
    created_at: datetime.datetime,
) -> MembershipDecision:
    """The one place a ``MembershipDecision`` is written: each step of the life cycle below."""
    return MembershipDecision.objects.create(
        member=member,
        structure=structure,
        acting_user=acting_user,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        created_at=created_at,
    )


def member_transition(
    *,
    member: User,
    transition: Transition,
    acting_user: User | None,
    reason: str = "",
    by_structure_rule: bool = False,
) -> MembershipDecision:
    """Apply ``transition`` to ``member`` as the caller saw them, in one transaction: status,
    access, decision record, email. Refused if the status changed since ``member`` was loaded
    (another manager was quicker), if it does not allow the transition, or if ``acting_user``
    does not manage the member's structure — unless the decision is one the structure chose to
    have made by a rule (``by_structure_rule``: its staff list validates or deactivates), which
    is recorded under the person who gave the rule its data (the list's uploader)."""
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise DecisionNotAllowed(_("Un refus doit être motivé."))
    with transaction.atomic():
        # The row lock makes two managers deciding at once wait for each other: the second
        # one then sees the first one's status and is refused.
        locked = User.objects.select_for_update().filter(pk=member.pk, structure__isnull=False).first()
        if locked is None:
            raise DecisionNotAllowed(_("%(member)s n'est pas un ouvrant-droit.") % {"member": member})
        if acting_user is not None and not by_structure_rule:
            if not may_see_structure(acting_user, locked.structure_id):
                raise PermissionDenied
            if acting_user.pk == locked.pk and not is_staff_wide(acting_user):
                raise DecisionNotAllowed(_("Une autre personne doit décider de votre propre inscription."))
        if locked.status != member.status:
            # Someone decided since the caller loaded the member: their decision was made on a
            # status that no longer holds.
            raise DecisionNotAllowed(
                _(
                    "%(member)s : le statut a changé entre-temps (désormais « %(status)s ») ; rien n'a été fait."
                )
                % {"member": locked, "status": locked.get_status_display()}
            )
        if locked.status not in transition.allowed_from:
            raise DecisionNotAllowed(
                _("%(member)s : statut « %(status)s », cette décision ne s'applique pas.")
                % {"member": locked, "status": locked.get_status_display()}
            )
        now = timezone.now()
        from_status = locked.status
        locked.status = transition.to_status
        locked.status_reason = reason
        locked.status_changed_at = now
        locked.is_active = transition.is_active
        locked.save(update_fields=["status", "status_reason", "status_changed_at", "is_active"])
        if transition.to_status != User.Status.APPROVED:
            # Refused or deactivated: the services partenaires lose their access at once, in
            # the same transaction as the decision.
            service_tokens_revoke(user=locked)
        structure = Structure.objects.get(pk=locked.structure_id)
        record = _decision_record(
            member=locked,
            structure=structure,
            from_status=from_status,
            to_status=transition.to_status,
            acting_user=acting_user,
            reason=reason,
            created_at=now,
        )
        if transition.template:
            queue_email(
                transition.template,
                locked.email,
                {
                    "member": locked,
                    "structure": structure,
                    "reason": reason,
                    "login_url": absolute_url(reverse("account_login")),
                },
                recipient=locked,
            )
    for name in ("status", "status_reason", "status_changed_at", "is_active"):
        setattr(member, name, getattr(locked, name))
    return record


def member_approve(*, member: User, acting_user: User | None) -> MembershipDecision:
    """Validate a pending (or previously refused) registration: the member may log in and use
    the member area; they get an email with the link to log in."""
    return member_transition(member=member, transition=lifecycle.APPROVE, acting_user=acting_user)


def member_reject(*, member: User, acting_user: User | None, reason: str) -> MembershipDecision:
    """Refuse a pending registration, with a reason the member reads in their email."""
    return member_transition(
        member=member, transition=lifecycle.REJECT, acting_user=acting_user, reason=reason
    )


def member_deactivate(*, member: User, acting_user: User | None, reason: str = "") -> MembershipDecision:
    """End an approved member's access at once (they left the structure): ``is_active`` off, so
    their open sessions stop working on the next request and they cannot log in again."""
    return member_transition(
        member=member, transition=lifecycle.DEACTIVATE, acting_user=acting_user, reason=reason
    )


def member_reactivate(*, member: User, acting_user: User | None) -> MembershipDecision:
    """Give a deactivated member their access back."""
    return member_transition(member=member, transition=lifecycle.REACTIVATE, acting_user=acting_user)


def _member_join(
    *,
    transition: Transition,
    structure: Structure,
    invitation: Invitation | None,
    email: str,
    first_name: str,
    last_name: str,
    phone: str,
    job_title: JobTitle | None,
    password_hash: str | None,
    acting_user: User | None,
    reason: str,
    now: datetime.datetime,
    job_title_other: str = "",
) -> User:
    """A person becomes a member of ``structure``: their account, in the transition's status,
    and the first line of their history."""
    user = user_create(
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        job_title=job_title,
        job_title_other=job_title_other,
        password_hash=password_hash,
        structure=structure,
        invitation=invitation,
        status=transition.to_status,
        status_changed_at=now if transition.to_status != User.Status.PENDING else None,
        date_joined=now,
    )
    _decision_record(
        member=user,
        structure=structure,
        from_status=lifecycle.NEW,
        to_status=transition.to_status,
        # At signup the person registers themselves.
        acting_user=user if transition is lifecycle.REGISTER else acting_user,
        reason=reason,
        created_at=now,
    )
    return user


@transaction.atomic
def member_register(
    *,
    invitation: Invitation,
    email: str,
    first_name: str,
    last_name: str,
    phone: str,
    job_title: JobTitle | None,
    password_hash: str,
    now: datetime.datetime | None = None,
    job_title_other: str = "",
) -> User:
    """Someone registers through ``invitation`` (the signup wizard's last step): an account of
    its structure, pending validation, with the decision "→ en attente" made by the person; a
    personal invitation is used up. The fonction is ``job_title``, or ``job_title_other`` as
    typed when it is not in the list. The caller holds the invitation's row lock and has checked
    that it is usable."""
    now = now or timezone.now()
    personal = invitation.kind == Invitation.Kind.PERSONAL
    if personal:
        Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now)
    return _member_join(
        transition=lifecycle.REGISTER,
        structure=Structure.objects.get(pk=invitation.structure_id),
        invitation=invitation,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        job_title=job_title,
        job_title_other=job_title_other,
        password_hash=password_hash,
        acting_user=None,
        reason=_("Inscription par invitation personnelle")
        if personal
        else _("Inscription par le lien de la structure"),
        now=now,
    )


def registration_announce(*, member: User, beneficiary_count: int) -> None:
    """Tell the managers of the member's structure who asked for one email per registration
    (the others get the daily digest)."""
    structure = member.structure
    if structure.notification != Structure.Notification.EACH:
        return
    admin_url = absolute_url(reverse("admin:accounts_user_change", args=[member.pk]))
    for manager in structure.managers.filter(is_active=True).order_by("pk"):
        queue_email(
            "structures/email/new_registration",
            manager.email,
            {
                "member": member,
                "user": member,
                "structure": structure,
                "beneficiary_count": beneficiary_count,
                "manager": manager,
                "admin_url": admin_url,
            },
            recipient=manager,
        )


@transaction.atomic
def member_import(
    *,
    structure: Structure,
    email: str,
    first_name: str,
    last_name: str,
    phone: str,
    job_title: JobTitle | None,
    acting_user: User | None,
) -> User:
    """A member of the former site joins the new one: approved, without a usable password (the
    activation email lets them choose one), the decision recorded."""
    return _member_join(
        transition=lifecycle.IMPORT,
        structure=structure,
        invitation=None,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        job_title=job_title,
        password_hash=None,
        acting_user=acting_user,
        reason=str(lifecycle.IMPORT.label),
        now=timezone.now(),
    )


class MoveNotAllowed(Exception):
    """Only CE+ Services staff move a member, and to another structure; the message says why."""


@transaction.atomic
def member_move(
    *, member: User, structure: Structure, acting_user: User | None, reason: str = ""
) -> MembershipDecision:
    """Attach a member to another structure (staff only): a decision of its own, recorded with
    both structures, and an email to the member. Their status stays; the new structure's
    managers see them from now on, the old one's keep the decisions made until then."""
    if acting_user is not None and not is_staff_wide(acting_user):
        raise MoveNotAllowed(
            _("Seul le personnel de CE+ Services rattache un ouvrant-droit à une autre structure.")
        )
    locked = User.objects.select_for_update().filter(pk=member.pk, structure__isnull=False).first()
    if locked is None:
        raise MoveNotAllowed(_("%(member)s n'est pas un ouvrant-droit.") % {"member": member})
    if locked.structure_id == structure.pk:
        raise MoveNotAllowed(
            _("%(member)s dépend déjà de %(structure)s.") % {"member": locked, "structure": structure}
        )
    previous = Structure.objects.get(pk=locked.structure_id)
    now = timezone.now()
    text = _("Rattachement à %(new)s (auparavant %(old)s)") % {"new": structure.name, "old": previous.name}
    if reason.strip():
        text = f"{text} : {reason.strip()}"
    locked.structure = structure
    locked.save(update_fields=["structure"])
    record = _decision_record(
        member=locked,
        structure=structure,
        from_status=locked.status,
        to_status=locked.status,
        acting_user=acting_user,
        reason=text,
        created_at=now,
    )
    queue_email(
        "structures/email/member_moved",
        locked.email,
        {"member": locked, "structure": structure, "previous": previous, "reason": reason.strip()},
        recipient=locked,
    )
    member.structure = structure
    return record


# --- Notifications -------------------------------------------------------------------------------


def _overdue(structure: Structure, now: datetime.datetime):
    """The registrations of ``structure`` that wait longer than its reminder delay, oldest first."""
    limit = now - datetime.timedelta(days=structure.reminder_delay_days)
    return User.objects.filter(
        structure=structure, status=User.Status.PENDING, date_joined__lte=limit
    ).order_by("date_joined", "pk")


def _managers_email(structure: Structure, template: str, context: dict) -> None:
    """Queue ``template`` to each active manager of ``structure``, about its queue."""
    for manager in structure.managers.filter(is_active=True):
        queue_email(
            template,
            manager.email,
            {
                "manager": manager,
                "structure": structure,
                "delay": structure.reminder_delay_days,
                "queue_url": absolute_url(
                    reverse("admin:structures_member_changelist") + f"?structure={structure.pk}"
                ),
                **context,
            },
            recipient=manager,
        )


def registrations_digest_send(*, structure: Structure, now: datetime.datetime | None = None) -> int:
    """Email the managers of a structure that chose the daily digest the registrations that
    came in since the previous digest (or the last 24 hours) and still wait, and those that wait
    longer than its reminder delay (the digest is then that day's reminder). Returns how many
    new registrations it listed; running it twice in a row sends nothing the second time."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Structure.objects.select_for_update().get(pk=structure.pk)
        if locked.notification != Structure.Notification.DAILY:
            return 0
        since = locked.digest_sent_at or now - datetime.timedelta(days=1)
        new = User.objects.filter(
            structure=locked, status=User.Status.PENDING, date_joined__gt=since, date_joined__lte=now
        ).order_by("date_joined")
        count = new.count()
        if count:
            overdue = _overdue(locked, now)
            overdue_count = overdue.count()
            pending_total = User.objects.filter(structure=locked, status=User.Status.PENDING).count()
            listed = list(new.select_related("job_title")[:DIGEST_LIST_LIMIT])
            _managers_email(
                locked,
                "structures/email/registrations_digest",
                {
                    "registrations": listed,
                    "count": count,
                    "more": count - len(listed),
                    "pending_total": pending_total,
                    "overdue_count": overdue_count,
                },
            )
            if overdue_count:
                locked.reminder_sent_at = now
        locked.digest_sent_at = now
        locked.save(update_fields=["digest_sent_at", "reminder_sent_at"])
    return count


def registrations_remind(*, structure: Structure, now: datetime.datetime | None = None) -> int:
    """Remind the managers of ``structure`` of the registrations that wait longer than its
    delay (``reminder_delay_days``): one email a day at most, listing them oldest first (a
    structure's daily digest of the day counts as its reminder). Returns how many it listed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Structure.objects.select_for_update().get(pk=structure.pk)
        if locked.reminder_sent_at and timezone.localdate(locked.reminder_sent_at) >= timezone.localdate(now):
            return 0
        overdue = _overdue(locked, now)
        count = overdue.count()
        if not count:
            return 0
        listed = list(overdue.select_related("job_title")[:DIGEST_LIST_LIMIT])
        _managers_email(
            locked,
            "structures/email/registrations_reminder",
            {"registrations": listed, "count": count, "more": count - len(listed)},
        )
        locked.reminder_sent_at = now
        locked.save(update_fields=["reminder_sent_at"])
    return count
