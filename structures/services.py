"""State changes of structures, their managers, their invitations and their members' status.

Every function here is the one place where its change happens: the admin, the views and the
management commands call it. Each runs in one transaction, writes its audit record in it and
queues its emails through ``ceplus.emails.queue_email`` (sent once the transaction commits).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, normalize_email
from ceplus.emails import absolute_url, queue_email
from structures.models import Invitation, MembershipDecision, Structure
from structures.permissions import manager_group

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
    return Invitation.objects.create(
        structure=structure, kind=Invitation.Kind.SHARED, expires_at=expires_at, created_by=acting_user
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, acting_user: User | None) -> None:
    """The link stops working at once; registrations already made through it stay."""
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    invitation.refresh_from_db(fields=["revoked_at"])


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
    locked.expires_at = expires_at
    locked.save(update_fields=["expires_at"])
    invitation.expires_at = expires_at
    return locked


@dataclass
class InvitationReport:
    """What became of each address of a sending of personal invitations."""

    sent: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    already_invited: list[str] = field(default_factory=list)


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
    return locked


# --- Managers ------------------------------------------------------------------------------------


@transaction.atomic
def manager_add(*, structure: Structure, user: User) -> None:
    """Make ``user`` a manager (gestionnaire) of ``structure``: admin access to its members, with
    the managers' group's permissions."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    structure.managers.add(user)
    user.groups.add(manager_group())


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
    # Imported here: the accounts services import this module.
    from accounts.services import password_reset_url

    email = normalize_email(email)
    user = User.objects.alias(email_lower=Lower("email")).filter(email_lower=email).first()
    account_created = user is None
    if account_created:
        user = User.objects.create_user(
            email,
            None,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            status=User.Status.APPROVED,
            is_staff=True,
        )
    elif structure.managers.filter(pk=user.pk).exists():
        return ManagerInvitation(user=user, account_created=False, already_manager=True)
    manager_add(structure=structure, user=user)
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


# --- Decisions on members ------------------------------------------------------------------------


class DecisionNotAllowed(Exception):
    """The member's status does not allow this decision, perhaps because another manager decided
    a moment before; the message says so in French."""


@dataclass(frozen=True)
class _Decision:
    to_status: str
    allowed_from: tuple[str, ...]
    is_active: bool
    template: str


_APPROVE = _Decision(
    to_status=User.Status.APPROVED,
    allowed_from=(User.Status.PENDING, User.Status.REJECTED),
    is_active=True,
    template="structures/email/member_approved",
)
_REJECT = _Decision(
    to_status=User.Status.REJECTED,
    allowed_from=(User.Status.PENDING,),
    is_active=True,
    template="structures/email/member_rejected",
)
_DEACTIVATE = _Decision(
    to_status=User.Status.DEACTIVATED,
    allowed_from=(User.Status.APPROVED,),
    is_active=False,
    template="structures/email/member_deactivated",
)
_REACTIVATE = _Decision(
    to_status=User.Status.APPROVED,
    allowed_from=(User.Status.DEACTIVATED,),
    is_active=True,
    template="structures/email/member_reactivated",
)


def _decide(
    *, member: User, decision: _Decision, acting_user: User | None, reason: str
) -> MembershipDecision:
    """Apply ``decision`` to ``member`` as the caller saw them, in one transaction: status,
    audit entry, email. Refused if the status changed since ``member`` was loaded (another
    manager was quicker), if it does not allow the decision, or if ``acting_user`` does not
    manage the member's structure."""
    with transaction.atomic():
        # The row lock makes two managers deciding at once wait for each other: the second
        # one then sees the first one's status and is refused.
        locked = User.objects.select_for_update().filter(pk=member.pk, structure__isnull=False).first()
        if locked is None:
            raise DecisionNotAllowed(_("%(member)s n'est pas un ouvrant-droit.") % {"member": member})
        if acting_user is not None and not acting_user.is_superuser:
            if not acting_user.managed_structures.filter(pk=locked.structure_id).exists():
                raise PermissionDenied
            if acting_user.pk == locked.pk:
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
        if locked.status not in decision.allowed_from:
            raise DecisionNotAllowed(
                _("%(member)s : statut « %(status)s », cette décision ne s'applique pas.")
                % {"member": locked, "status": locked.get_status_display()}
            )
        now = timezone.now()
        from_status = locked.status
        locked.status = decision.to_status
        locked.status_reason = reason
        locked.status_changed_at = now
        locked.is_active = decision.is_active
        locked.save(update_fields=["status", "status_reason", "status_changed_at", "is_active"])
        structure = Structure.objects.get(pk=locked.structure_id)
        record = MembershipDecision.objects.create(
            member=locked,
            structure=structure,
            acting_user=acting_user,
            from_status=from_status,
            to_status=decision.to_status,
            reason=reason,
            created_at=now,
        )
        queue_email(
            decision.template,
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
    return _decide(member=member, decision=_APPROVE, acting_user=acting_user, reason="")


def member_reject(*, member: User, acting_user: User | None, reason: str) -> MembershipDecision:
    """Refuse a pending registration, with a reason the member reads in their email."""
    reason = reason.strip()
    if not reason:
        raise DecisionNotAllowed(_("Un refus doit être motivé."))
    return _decide(member=member, decision=_REJECT, acting_user=acting_user, reason=reason)


def member_deactivate(*, member: User, acting_user: User | None, reason: str = "") -> MembershipDecision:
    """End an approved member's access at once (they left the structure): ``is_active`` off, so
    their open sessions stop working on the next request and they cannot log in again."""
    return _decide(member=member, decision=_DEACTIVATE, acting_user=acting_user, reason=reason.strip())


def member_reactivate(*, member: User, acting_user: User | None) -> MembershipDecision:
    """Give a deactivated member their access back."""
    return _decide(member=member, decision=_REACTIVATE, acting_user=acting_user, reason="")


# --- Notifications -------------------------------------------------------------------------------


def registrations_digest_send(*, structure: Structure, now: datetime.datetime | None = None) -> int:
    """Email the managers of a structure that chose the daily digest the registrations that
    came in since the previous digest (or the last 24 hours) and still wait. Returns how many
    registrations it listed; running it twice in a row sends nothing the second time."""
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
            queue_url = absolute_url(
                reverse("admin:structures_member_changelist") + f"?structure={locked.pk}"
            )
            pending_total = User.objects.filter(structure=locked, status=User.Status.PENDING).count()
            listed = list(new.select_related("job_title")[:DIGEST_LIST_LIMIT])
            for manager in locked.managers.filter(is_active=True):
                queue_email(
                    "structures/email/registrations_digest",
                    manager.email,
                    {
                        "manager": manager,
                        "structure": locked,
                        "registrations": listed,
                        "count": count,
                        "more": count - len(listed),
                        "pending_total": pending_total,
                        "queue_url": queue_url,
                    },
                    recipient=manager,
                )
        locked.digest_sent_at = now
        locked.save(update_fields=["digest_sent_at"])
    return count
