"""State changes of structures, their managers and their invitations."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from structures.models import Invitation, Structure


class InvitationInvalid(Exception):
    """The token matches no invitation (forged or mistyped): answer 404."""


class InvitationGone(Exception):
    """The invitation existed but is expired, revoked or used: answer 410."""

    def __init__(self, invitation: Invitation):
        super().__init__(invitation.state)
        self.invitation = invitation


def invitation_resolve(*, token: str) -> Invitation:
    """The usable invitation behind ``token``, or ``InvitationInvalid`` / ``InvitationGone``."""
    if not token or len(token) > 64:
        raise InvitationInvalid
    invitation = Invitation.objects.select_related("structure").filter(token=token).first()
    if invitation is None:
        raise InvitationInvalid
    if not invitation.is_usable:
        raise InvitationGone(invitation)
    return invitation


@transaction.atomic
def manager_add(*, structure: Structure, user: User) -> None:
    """Make ``user`` a manager (gestionnaire) of ``structure``: admin access to its members."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    structure.managers.add(user)


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
