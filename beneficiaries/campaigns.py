"""The yearly update (campagne annuelle), read: which campaign a member is asked to answer,
whether they did, who has not, and which children near an age limit. Reads only; the services
(``beneficiaries.services``) write."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import User
from beneficiaries.models import Beneficiary, Campaign, FamilyConfirmation, Proof, Relationship
from beneficiaries.rules import BeneficiaryRules, child_age_limits, limit_reached_on

# A child's member is told this many days before the child reaches an age limit.
AGE_LIMIT_NOTICE_DAYS = 60
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


@dataclass(frozen=True)
class AgeLimit:
    """A child who reaches an age limit on ``reached_on``; ``extended_to`` is the extended limit
    a proof keeps them to (none when ``limit`` is the last one)."""

    beneficiary: Beneficiary
    limit: int
    reached_on: datetime.date
    extended_to: int | None
    proof_kinds: tuple[str, ...]


def age_limits_ahead(structure: BeneficiaryRules, children, today: datetime.date) -> Iterator[AgeLimit]:
    """The ``children`` (of one structure) who reach one of its age limits within
    ``AGE_LIMIT_NOTICE_DAYS`` from ``today`` and whose member was not told of that limit yet.
    A child already kept past the base limit by a proof that still counts on that day is not
    told of the base limit; a child past the base limit is told of the extended one only when
    a proof keeps them (accepted, or waiting for a manager): otherwise they already left."""
    if not structure.allows(Relationship.CHILD):
        return
    base, extended = child_age_limits(structure)
    if base is None:
        return
    horizon = today + datetime.timedelta(days=AGE_LIMIT_NOTICE_DAYS)
    kinds = tuple(structure.extended_age_proof_kinds()) if extended else ()
    for child in children:
        for limit, extended_to in ((base, extended), (extended, None)):
            if limit is None:
                continue
            reached_on = limit_reached_on(structure, child.birth_date, limit)
            if not today <= reached_on <= horizon or child.age_limit_notice_for == reached_on:
                continue
            extension_proofs = [
                proof for proof in child.proofs.all() if proof.purpose == Proof.Purpose.EXTENDED_AGE
            ]
            if extended_to is not None and any(proof.counts_on(reached_on) for proof in extension_proofs):
                continue
            if (
                extended_to is None
                and limit != base
                and not any(
                    proof.status in (Proof.Status.ACCEPTED, Proof.Status.PENDING)
                    for proof in extension_proofs
                )
            ):
                continue
            yield AgeLimit(
                beneficiary=child,
                limit=limit,
                reached_on=reached_on,
                extended_to=extended_to,
                proof_kinds=kinds if extended_to is not None else (),
            )
            break


def children_of_members(structure_id: int) -> QuerySet[Beneficiary]:
    """The children declared by the structure's validated, active members, with their proofs."""
    return (
        Beneficiary.objects.filter(
            relationship=Relationship.CHILD,
            member__structure_id=structure_id,
            member__status=User.Status.APPROVED,
            member__is_active=True,
        )
        .select_related("member")
        .prefetch_related("proofs")
        .order_by("pk")
    )
