"""What a structure lets its staff list decide: the validation of a registration whose proven
address is on the list, and the end of access of a person past their date de sortie.

Each decision goes through ``structures.services.member_transition`` (recorded, emailed) with
the list as its reason: validated as by the person who uploaded the list, deactivated by the
structure's rule (no person). Nothing here decides on a line that could not be read: such a
line never reaches the list (``structures.roster.services``).
"""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from ceplus.templatetags.ceplus_dates import date_fr
from structures import lifecycle
from structures.models import MembershipDecision, RosterEntry, Structure
from structures.roster.matching import current_entries, dated_departures
from structures.services import DecisionNotAllowed, member_transition


def _entry_for(member: User) -> RosterEntry | None:
    return (
        current_entries()
        .filter(structure_id=member.structure_id, email=member.email)
        .select_related("roster_import__uploaded_by")
        .first()
    )


def _has_proven_address(member: User) -> bool:
    """Whether the member proved they receive mail at their login address (a personal
    invitation sent there, or allauth's confirmation link): without it, anyone could register
    with a listed colleague's address and be validated in their name."""
    return EmailAddress.objects.filter(user=member, email__iexact=member.email, verified=True).exists()


def registration_auto_approve(*, member: User) -> MembershipDecision | None:
    """Validate ``member``'s pending registration at once if their structure chose to
    ("valider automatiquement…"), their address is proven and on today's staff list. The
    decision is recorded with the list's upload as its reason and its uploader as the actor;
    the member gets the "inscription validée" email. Returns the decision, or ``None`` when the
    registration stays for a manager."""
    if member.status != User.Status.PENDING or member.structure_id is None:
        return None
    structure = Structure.objects.get(pk=member.structure_id)
    if not structure.roster_auto_approve or not _has_proven_address(member):
        return None
    entry = _entry_for(member)
    if entry is None:
        return None
    upload = entry.roster_import
    if upload is not None:
        reason = _("Validation automatique : adresse sur la liste du personnel importée le %(date)s") % {
            "date": date_fr(upload.created_at)
        }
    else:
        reason = _("Validation automatique : adresse sur la liste du personnel")
    try:
        return member_transition(
            member=member,
            transition=lifecycle.APPROVE,
            acting_user=upload.uploaded_by if upload is not None else None,
            reason=reason,
            by_structure_rule=True,
        )
    except DecisionNotAllowed:
        # A manager decided a moment before.
        return None


def pending_auto_approve(*, structure: Structure) -> int:
    """Validate every pending registration of ``structure`` that its rule now validates (after
    an upload of the list, or once the rule is switched on). Returns how many."""
    if not structure.roster_auto_approve:
        return 0
    listed = current_entries().filter(structure=structure).values("email")
    candidates = User.objects.filter(structure=structure, status=User.Status.PENDING, email__in=listed)
    return sum(1 for member in candidates.order_by("date_joined") if registration_auto_approve(member=member))


def departures_deactivate(*, structure: Structure, today: datetime.date | None = None) -> int:
    """End the access of the validated members past the date de sortie of their line on the
    list, if the structure chose so. The people gone from the list without a date stay
    proposed to the managers ("Départs à traiter"): a missing line may be an export's mistake.
    Returns how many were deactivated."""
    if not structure.roster_auto_deactivate:
        return 0
    today = today or timezone.localdate()
    done = 0
    for member in dated_departures(User.objects.filter(structure=structure), today).order_by("pk"):
        reason = _("Date de sortie du %(date)s sur la liste du personnel") % {
            "date": date_fr(member.roster_end_date)
        }
        try:
            member_transition(
                member=member,
                transition=lifecycle.DEACTIVATE,
                acting_user=None,
                reason=reason,
                by_structure_rule=True,
            )
        except DecisionNotAllowed:
            continue
        done += 1
    return done


def on_email_confirmed(sender, request=None, email_address=None, **kwargs) -> None:
    """allauth's ``email_confirmed``: a registration through the shared link proves its address
    only now, and may then be validated by the list."""
    user = getattr(email_address, "user", None)
    if user is None or not user.is_member or email_address.email.lower() != user.email:
        return
    registration_auto_approve(member=user)
