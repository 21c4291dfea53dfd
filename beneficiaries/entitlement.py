"""Who is entitled, and why not: the one answer for the member's list, the managers' lists and
exports, the yearly update and the services that ask the portal.

``standing`` says where one beneficiary stands on a day under the structure's rules (the link
allowed, the proofs asked and checked, the child's age on that day, the yearly confirmation);
``entitled_on`` lists the beneficiaries entitled on a day, the member's own status included.
Reads only; the services write.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from beneficiaries.models import Beneficiary, Campaign, FamilyConfirmation, Proof, Relationship
from beneficiaries.rules import BeneficiaryRules, age_on, child_age_limits, limit_reached_on


class State:
    """Where a beneficiary stands, as the member and the managers read it."""

    DECLARED = "declared"
    PROOF_NEEDED = "proof_needed"
    PROOF_SENT = "proof_sent"
    VERIFIED = "verified"
    REFUSED = "refused"
    TO_CONFIRM = "to_confirm"
    NOT_ELIGIBLE = "not_eligible"
    NOT_ALLOWED = "not_allowed"

    ENTITLED = frozenset({DECLARED, VERIFIED})


@dataclass(frozen=True)
class Standing:
    """One beneficiary's state on a day. ``purpose`` and ``kinds`` name the proof it waits for
    (to send, or sent and waiting for a manager), if any."""

    state: str
    date: datetime.date | None = None
    reason: str = ""
    purpose: str | None = None
    kinds: tuple[str, ...] = field(default=())

    @property
    def entitled(self) -> bool:
        return self.state in State.ENTITLED

    @property
    def label(self) -> str:
        day = self.date.strftime("%d/%m/%Y") if self.date else ""
        if self.state == State.DECLARED:
            return _("Déclaré")
        if self.state == State.PROOF_NEEDED:
            return _("Justificatif à envoyer")
        if self.state == State.PROOF_SENT:
            return _("Justificatif envoyé, à vérifier")
        if self.state == State.VERIFIED:
            return _("Vérifié le %(date)s") % {"date": day}
        if self.state == State.REFUSED:
            return _("Refusé : %(reason)s") % {"reason": self.reason}
        if self.state == State.TO_CONFIRM:
            return _("À confirmer")
        if self.state == State.NOT_ELIGIBLE:
            return _("Plus éligible depuis le %(date)s") % {"date": day}
        return _("Lien non accepté par la structure")


def _proof_state(proofs: Sequence[Proof], purpose: str, day: datetime.date) -> tuple[str, Proof | None]:
    """The state of one thing to prove, from the proofs sent for it (oldest first)."""
    mine = [proof for proof in proofs if proof.purpose == purpose]
    counting = [proof for proof in mine if proof.counts_on(day)]
    if counting:
        return State.VERIFIED, counting[-1]
    latest = mine[-1] if mine else None
    if latest is not None and latest.status == Proof.Status.PENDING:
        return State.PROOF_SENT, latest
    if latest is not None and latest.status == Proof.Status.REFUSED:
        return State.REFUSED, latest
    return State.PROOF_NEEDED, None


def proof_needs(
    beneficiary: Beneficiary, rules: BeneficiaryRules, day: datetime.date
) -> list[tuple[str, tuple[str, ...]]]:
    """What the structure asks to be proven of ``beneficiary`` on ``day``, whatever was sent:
    ``[(Proof.Purpose, accepted documents)]``. Nothing for a link it does not accept or a child
    past every age limit."""
    if not rules.allows(beneficiary.relationship):
        return []
    needs: list[tuple[str, tuple[str, ...]]] = []
    relationship_kinds = tuple(rules.proof_kinds_for(beneficiary.relationship))
    if relationship_kinds:
        needs.append((Proof.Purpose.RELATIONSHIP, relationship_kinds))
    if beneficiary.relationship == Relationship.CHILD:
        base, extended = child_age_limits(rules)
        if base is not None:
            age = age_on(beneficiary.birth_date, rules.age_reference_date(day))
            if age >= (extended or base):
                return []
            if age >= base:
                needs.append((Proof.Purpose.EXTENDED_AGE, tuple(rules.extended_age_proof_kinds())))
    return needs


def standing(
    beneficiary: Beneficiary,
    rules: BeneficiaryRules,
    day: datetime.date,
    *,
    proofs: Sequence[Proof] = (),
    campaign: Campaign | None = None,
    confirmed: bool = False,
) -> Standing:
    """Where ``beneficiary`` stands on ``day``: ``proofs`` are theirs (oldest first),
    ``campaign`` the structure's yearly update in force on that day and ``confirmed`` whether
    the member confirmed their family in it."""
    if not rules.allows(beneficiary.relationship):
        return Standing(State.NOT_ALLOWED)
    if beneficiary.relationship == Relationship.CHILD:
        base, extended = child_age_limits(rules)
        if base is not None:
            age = age_on(beneficiary.birth_date, rules.age_reference_date(day))
            if age >= (extended or base):
                return Standing(
                    State.NOT_ELIGIBLE, date=limit_reached_on(rules, beneficiary.birth_date, extended or base)
                )
    results = [
        (purpose, kinds, *_proof_state(proofs, purpose, day))
        for purpose, kinds in proof_needs(beneficiary, rules, day)
    ]
    for purpose, kinds, state, _proof in results:
        if purpose == Proof.Purpose.EXTENDED_AGE and state == State.PROOF_NEEDED:
            aged_out_on = limit_reached_on(rules, beneficiary.birth_date, rules.child_age_limit)
            if beneficiary.created_at.date() < aged_out_on:
                # A child who aged out without a proof: no longer entitled since that day, until
                # a proof of studies or apprenticeship is checked.
                return Standing(State.NOT_ELIGIBLE, date=aged_out_on, purpose=purpose, kinds=kinds)
    for wanted in (State.REFUSED, State.PROOF_NEEDED, State.PROOF_SENT):
        for purpose, kinds, state, proof in results:
            if state == wanted:
                return Standing(
                    state,
                    reason=proof.refusal_text if proof is not None and state == State.REFUSED else "",
                    purpose=purpose,
                    kinds=kinds,
                )
    if (
        campaign is not None
        and not confirmed
        and day > campaign.deadline
        and beneficiary.created_at.date() < campaign.starts_on
    ):
        return Standing(State.TO_CONFIRM)
    if results:
        verified = max(proof.decided_at for _purpose, _kinds, _state, proof in results)
        return Standing(State.VERIFIED, date=timezone.localdate(verified))
    return Standing(State.DECLARED)


def campaign_on(campaigns: Iterable[Campaign], day: datetime.date) -> Campaign | None:
    """The campaign in force on ``day``: the latest one started by then."""
    started = [campaign for campaign in campaigns if campaign.starts_on <= day]
    return max(started, key=lambda campaign: campaign.starts_on, default=None)


@dataclass(frozen=True)
class Entry:
    """A beneficiary with their standing and age on the day asked."""

    beneficiary: Beneficiary
    standing: Standing
    age: int


def standings(beneficiaries: Iterable[Beneficiary], day: datetime.date) -> list[Entry]:
    """Each of ``beneficiaries`` (with ``member__structure`` selected) and where they stand on
    ``day``, in three queries whatever their number: their proofs, the structures' campaigns and
    the members' confirmations."""
    beneficiaries = list(beneficiaries)
    proofs: dict[int, list[Proof]] = defaultdict(list)
    for proof in Proof.objects.filter(beneficiary__in=[b.pk for b in beneficiaries]).order_by(
        "sent_at", "pk"
    ):
        proofs[proof.beneficiary_id].append(proof)
    structure_ids = {b.member.structure_id for b in beneficiaries if b.member.structure_id}
    campaigns: dict[int, list[Campaign]] = defaultdict(list)
    for campaign in Campaign.objects.filter(structure_id__in=structure_ids, starts_on__lte=day):
        campaigns[campaign.structure_id].append(campaign)
    in_force = {structure_id: campaign_on(items, day) for structure_id, items in campaigns.items()}
    confirmed = set(
        FamilyConfirmation.objects.filter(
            campaign__in=[campaign.pk for campaign in in_force.values() if campaign is not None],
            member__in={b.member_id for b in beneficiaries},
        ).values_list("campaign_id", "member_id")
    )
    entries = []
    for beneficiary in beneficiaries:
        structure = beneficiary.member.structure
        if structure is None:
            continue
        campaign = in_force.get(structure.pk)
        entries.append(
            Entry(
                beneficiary=beneficiary,
                standing=standing(
                    beneficiary,
                    structure,
                    day,
                    proofs=proofs[beneficiary.pk],
                    campaign=campaign,
                    confirmed=campaign is not None and (campaign.pk, beneficiary.member_id) in confirmed,
                ),
                age=age_on(beneficiary.birth_date, day),
            )
        )
    return entries


def _of_approved_members(queryset: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    return queryset.filter(
        member__is_active=True, member__status=User.Status.APPROVED, member__structure__isnull=False
    )


def entitled_on(
    day: datetime.date,
    *,
    structure_ids: Iterable[int] | None = None,
    member: User | None = None,
) -> list[Entry]:
    """The beneficiaries entitled on ``day``: of validated, active members (of ``structure_ids``,
    or ``member`` alone), whose link the structure accepts, whose proofs are checked and still
    count, whose age on that day is within the limits, and whose family was confirmed in the
    yearly update when its deadline has passed. Ordered by member, then birth date."""
    # Nobody is entitled before being born (a date asked in the past).
    queryset = _of_approved_members(
        Beneficiary.objects.select_related("member__structure").filter(birth_date__lte=day)
    )
    if structure_ids is not None:
        queryset = queryset.filter(member__structure__in=list(structure_ids))
    if member is not None:
        queryset = queryset.filter(member=member)
    queryset = queryset.order_by("member__last_name", "member__first_name", "member_id", "birth_date", "pk")
    return [entry for entry in standings(queryset, day) if entry.standing.entitled]
