"""The member life cycle: from which status a member may go to which, what happens to their
access and which email tells them.

One table, read by the services that apply it (``structures.services``: every status change
and every ``MembershipDecision`` goes through ``member_transition``) and by the admin, whose
buttons on a member's page are the transitions that start from the member's status.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import User

Status = User.Status
# A member who has no status yet: the first transition makes the account a member.
NEW = ""


@dataclass(frozen=True)
class Transition:
    """One move of the life cycle."""

    key: str
    to_status: str
    allowed_from: tuple[str, ...]
    # Whether the account may log in afterwards (``User.is_active``).
    is_active: bool
    # The email that tells the member (``<template>_subject.txt``…), or ``None``.
    template: str | None
    # A refusal is always explained to the member.
    needs_reason: bool = False
    # Offered as a button in the admin (the others are made by the signup and the import).
    decided_in_admin: bool = True
    # The default reason recorded with it, when the person gives none.
    label: str = ""


REGISTER = Transition(
    key="inscription",
    to_status=Status.PENDING,
    allowed_from=(NEW,),
    is_active=True,
    template=None,  # the signup sends "demande bien reçue" itself, with the registration's details
    decided_in_admin=False,
)
IMPORT = Transition(
    key="reprise",
    to_status=Status.APPROVED,
    allowed_from=(NEW,),
    is_active=True,
    template=None,  # the activation email is sent when staff choose to
    decided_in_admin=False,
    label=_("Membre repris de l'ancien site (import)"),
)
APPROVE = Transition(
    key="valider",
    to_status=Status.APPROVED,
    allowed_from=(Status.PENDING, Status.REJECTED),
    is_active=True,
    template="structures/email/member_approved",
)
REJECT = Transition(
    key="refuser",
    to_status=Status.REJECTED,
    allowed_from=(Status.PENDING,),
    is_active=True,
    template="structures/email/member_rejected",
    needs_reason=True,
)
DEACTIVATE = Transition(
    key="desactiver",
    to_status=Status.DEACTIVATED,
    allowed_from=(Status.APPROVED,),
    is_active=False,
    template="structures/email/member_deactivated",
)
REACTIVATE = Transition(
    key="reactiver",
    to_status=Status.APPROVED,
    allowed_from=(Status.DEACTIVATED,),
    is_active=True,
    template="structures/email/member_reactivated",
)

TRANSITIONS = {t.key: t for t in (REGISTER, IMPORT, APPROVE, REJECT, DEACTIVATE, REACTIVATE)}


def admin_transitions_from(status: str) -> list[Transition]:
    """The decisions a manager may take on a member whose status is ``status``, in the order
    the admin shows them."""
    return [t for t in TRANSITIONS.values() if t.decided_in_admin and status in t.allowed_from]
