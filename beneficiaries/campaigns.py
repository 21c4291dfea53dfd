"""The yearly update (campagne annuelle), read: which campaign a member is asked to answer,
whether they did and who has not. Reads only; the services
(``beneficiaries.services``) write."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import User
from beneficiaries.models import Beneficiary, Campaign, FamilyConfirmation

# The reminder of a campaign goes this many days before its deadline.
CAMPAIGN_REMINDER_DAYS = 7


def campaign_in_force(structure_id: int | None, day: datetime.date) -> Campaign | None:
    """The structure's campaign in force on ``day``: the latest one started by then (its
    deadline may have passed: its members still confirm in it until the next one)."""
    if structure_id is None:
        return None
    return (
        Campaign.objects.filter(structure_id=structure_id, starts_on__lte=day)
        .select_related("structure")
        .order_by("-starts_on", "-pk")
        .first()
    )


def has_confirmed(campaign: Campaign, member: User) -> bool:
    return FamilyConfirmation.objects.filter(campaign=campaign, member=member).exists()


def members_asked(campaign: Campaign) -> QuerySet[User]:
    """The members a campaign asks to confirm their family: the structure's validated, active
    members who have beneficiaries, each with ``beneficiary_count`` and ``confirmed``."""
    return (
        User.objects.filter(structure_id=campaign.structure_id, status=User.Status.APPROVED, is_active=True)
        .annotate(
            beneficiary_count=Count("beneficiaries"),
            confirmed=Exists(FamilyConfirmation.objects.filter(campaign=campaign, member=OuterRef("pk"))),
        )
        .filter(beneficiary_count__gt=0)
        .order_by("last_name", "first_name", "pk")
    )


@dataclass(frozen=True)
class Progress:
    """Where a campaign stands: how many of the members asked have answered, and who has not."""

    confirmed: int
    total: int
    unanswered: list[User]


def campaign_progress(campaign: Campaign) -> Progress:
    members = list(members_asked(campaign))
    return Progress(
        confirmed=sum(1 for member in members if member.confirmed),
        total=len(members),
        unanswered=[member for member in members if not member.confirmed],
    )


@dataclass(frozen=True)
class Banner:
    """What the banner of a campaign tells a member."""

    campaign: Campaign
    deadline_passed: bool


def campaign_banner(member: User, day: datetime.date) -> Banner | None:
    """The campaign to remind ``member`` of on ``day`` (the banner on their home and on "Mes
    bénéficiaires"): the one in force for their structure, when they have beneficiaries and have
    not confirmed them in it; ``None`` otherwise."""
    if not getattr(member, "is_approved_member", False):
        return None
    campaign = campaign_in_force(member.structure_id, day)
    if campaign is None or not Beneficiary.objects.filter(member=member).exists():
        return None
    if has_confirmed(campaign, member):
        return None
    return Banner(campaign=campaign, deadline_passed=day > campaign.deadline)
