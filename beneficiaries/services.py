"""State changes of beneficiaries (ayants droit): the one writer of ``Beneficiary`` and
``BeneficiaryChange``. Each one checks the structure's rules again inside its transaction,
under a lock of the member's row, and records who changed what, for the structure's managers.
The signup, the member area, the admin and the import all come here."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.events import event_record, field_changes
from accounts.models import Event, User
from beneficiaries.campaigns import (
    CAMPAIGN_REMINDER_DAYS,
    AgeLimit,
    age_limits_ahead,
    children_of_members,
    members_asked,
)
from beneficiaries.entitlement import proof_needs
from beneficiaries.models import (
    Beneficiary,
    BeneficiaryChange,
    Campaign,
    FamilyConfirmation,
    Proof,
    ProofDraft,
    ProofFile,
    ProofKind,
)
from beneficiaries.proof_files import CheckedFile
from beneficiaries.rules import Candidate, check_beneficiary, check_household
from ceplus.crypto import decrypt, encrypt
from ceplus.emails import absolute_url, queue_email

# The fields a member may set, in the order the audit trail lists them.
EDITABLE_FIELDS = ("relationship", "last_name", "first_name", "birth_date")


def _lock_member(member: User) -> User:
    """Lock the member's row: two requests at once (two tabs, a double click) are checked one
    after the other, so they cannot add two partners between them."""
    return User.objects.select_for_update(of=("self",)).select_related("structure").get(pk=member.pk)


def beneficiary_check(member: User, candidate: Candidate) -> None:
    """The structure's rules over ``candidate`` among the member's other beneficiaries, raised
    as one ``ValidationError`` listing every problem by field. The services check again under
    their lock; forms call it to say so at the right field."""
    if member.structure is None:
        raise ValidationError(
            _("Seul un ouvrant-droit rattaché à une structure peut déclarer des bénéficiaires.")
        )
    errors = check_beneficiary(member.structure, candidate, today=timezone.localdate())
    others = [
        Candidate(relationship=relationship, birth_date=None, pk=pk)
        for pk, relationship in member.beneficiaries.exclude(pk=candidate.pk).values_list(
            "pk", "relationship"
        )
    ]
    errors += check_household([*others, candidate])
    if errors:
        by_field: dict[str, list[ValidationError]] = {}
        for error in errors:
            by_field.setdefault(error.field or NON_FIELD_ERRORS, []).append(
                ValidationError(error.message, code=error.code)
            )
        raise ValidationError(by_field)


def _describe(beneficiary: Beneficiary) -> str:
    return _("%(first_name)s %(last_name)s (%(relationship)s), né·e le %(birth_date)s") % {
        "first_name": beneficiary.first_name,
        "last_name": beneficiary.last_name,
        "relationship": beneficiary.get_relationship_display(),
        "birth_date": date_format(beneficiary.birth_date, "SHORT_DATE_FORMAT"),
    }


def _display(beneficiary: Beneficiary, field: str) -> str:
    value = getattr(beneficiary, field)
    if field == "relationship":
        return str(beneficiary.get_relationship_display())
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _record(
    *,
    member: User,
    beneficiary: Beneficiary,
    action: str,
    acting_user: User | None,
    changes: list[dict[str, Any]] | None = None,
) -> BeneficiaryChange:
    return BeneficiaryChange.objects.create(
        member=member,
        structure_id=member.structure_id,
        beneficiary=beneficiary if action != BeneficiaryChange.Action.REMOVED else None,
        acting_user=acting_user,
        action=action,
        description=_describe(beneficiary)[:400],
        changes=changes or [],
    )


@transaction.atomic
def beneficiary_add(
    *,
    member: User,
    relationship: str,
    last_name: str,
    first_name: str,
    birth_date: datetime.date,
    acting_user: User | None,
) -> Beneficiary:
    """Add a beneficiary to ``member`` under their structure's rules (allowed kinds, one partner,
    the child age limit, no birth date in the future); raises ``ValidationError`` otherwise."""
    member = _lock_member(member)
    beneficiary_check(
        member, Candidate(relationship=relationship, birth_date=birth_date, first_name=first_name)
    )
    beneficiary = Beneficiary.objects.create(
        member=member,
        relationship=relationship,
        last_name=last_name,
        first_name=first_name,
        birth_date=birth_date,
    )
    _record(
        member=member, beneficiary=beneficiary, action=BeneficiaryChange.Action.ADDED, acting_user=acting_user
    )
    return beneficiary


@transaction.atomic
def beneficiary_update(
    *,
    beneficiary: Beneficiary,
    relationship: str,
    last_name: str,
    first_name: str,
    birth_date: datetime.date,
    acting_user: User | None,
) -> Beneficiary:
    """Change a beneficiary under the same rules as an addition; records each changed field
    with its old and new value. Nothing changed, nothing recorded."""
    member = _lock_member(beneficiary.member)
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk, member=member)
    beneficiary_check(
        member,
        Candidate(relationship=relationship, birth_date=birth_date, first_name=first_name, pk=beneficiary.pk),
    )
    before = {field: _display(beneficiary, field) for field in EDITABLE_FIELDS}
    beneficiary.relationship = relationship
    beneficiary.last_name = last_name
    beneficiary.first_name = first_name
    beneficiary.birth_date = birth_date
    changes = [
        {
            "field": str(Beneficiary._meta.get_field(field).verbose_name),
            "before": before[field],
            "after": _display(beneficiary, field),
        }
        for field in EDITABLE_FIELDS
        if before[field] != _display(beneficiary, field)
    ]
    if not changes:
        return beneficiary
    beneficiary.save()
    _record(
        member=member,
        beneficiary=beneficiary,
        action=BeneficiaryChange.Action.UPDATED,
        acting_user=acting_user,
        changes=changes,
    )
    return beneficiary


@transaction.atomic
def beneficiary_remove(*, beneficiary: Beneficiary, acting_user: User | None) -> None:
    """Remove a beneficiary; the audit trail keeps who they were and who removed them."""
    member = _lock_member(beneficiary.member)
    beneficiary = Beneficiary.objects.select_for_update().filter(pk=beneficiary.pk, member=member).first()
    if beneficiary is None:  # already removed (a second click, another tab)
        return
    _record(
        member=member,
        beneficiary=beneficiary,
        action=BeneficiaryChange.Action.REMOVED,
        acting_user=acting_user,
    )
    beneficiary.delete()


@dataclass(frozen=True)
class BeneficiaryDetails:
    """A beneficiary as a form or a file gives it, cleaned."""

    relationship: str
    last_name: str
    first_name: str
    birth_date: datetime.date


def household_violations(member: User, rows: Sequence[BeneficiaryDetails]) -> list[str]:
    """What the member's structure's rules say against declaring ``rows`` as the member's
    beneficiaries (besides those they already have), one French sentence each; empty when they
    may. For the callers that report before they write (the signup's last step, the import)."""
    today = timezone.localdate()
    candidates = [Candidate(row.relationship, row.birth_date, row.first_name) for row in rows]
    errors = [
        error
        for candidate in candidates
        for error in check_beneficiary(member.structure, candidate, today=today)
    ]
    existing = [
        Candidate(relationship=relationship, birth_date=None, pk=pk)
        for pk, relationship in member.beneficiaries.values_list("pk", "relationship")
    ]
    errors += check_household([*existing, *candidates])
    return list(dict.fromkeys(error.message for error in errors))


@transaction.atomic
def beneficiaries_declare(
    *, member: User, rows: Sequence[BeneficiaryDetails], acting_user: User | None
) -> list[Beneficiary]:
    """Add several beneficiaries at once (the signup's step 3): all of them or, when the rules
    refuse one, none (``ValidationError``). Each addition is recorded."""
    member = _lock_member(member)
    violations = household_violations(member, rows)
    if violations:
        raise ValidationError(violations)
    added = []
    for row in rows:
        beneficiary = Beneficiary.objects.create(
            member=member,
            relationship=row.relationship,
            last_name=row.last_name,
            first_name=row.first_name,
            birth_date=row.birth_date,
        )
        _record(
            member=member,
            beneficiary=beneficiary,
            action=BeneficiaryChange.Action.ADDED,
            acting_user=acting_user,
        )
        added.append(beneficiary)
    return added


# --- Proofs (justificatifs) ------------------------------------------------------------------

# A yearly proof (studies, apprenticeship) counts this long after it was checked.
YEARLY_PROOF_VALIDITY = datetime.timedelta(days=365)


class ProofNotExpected(Exception):
    """Nothing about this beneficiary can be proven with that document now (the rules changed,
    or the form was forged); the message says so in French."""


class ProofAlreadyDecided(Exception):
    """Another manager decided on this proof first (or it was deleted meanwhile)."""


def proof_needs_today(beneficiary: Beneficiary) -> list[tuple[str, tuple[str, ...]]]:
    """What the member may prove of ``beneficiary`` today (``entitlement.proof_needs``)."""
    structure = beneficiary.member.structure
    return [] if structure is None else proof_needs(beneficiary, structure, timezone.localdate())


@transaction.atomic
def proof_send(
    *,
    beneficiary: Beneficiary,
    purpose: str,
    kind: str,
    file: CheckedFile,
    acting_user: User | None,
) -> Proof:
    """Keep the file of a proof for ``beneficiary``, encrypted, until a manager decides. The
    document must be one the structure accepts for ``purpose``, something it asks proven of
    this beneficiary today (a yearly proof may be sent again before the last one runs out). A
    proof still waiting for the same purpose is replaced: its file is deleted."""
    member = _lock_member(beneficiary.member)
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk, member=member)
    beneficiary.member = member
    if kind not in dict(proof_needs_today(beneficiary)).get(purpose, ()):
        raise ProofNotExpected(
            _("Ce justificatif n'est pas demandé pour %(name)s : choisissez l'un de ceux proposés.")
            % {"name": beneficiary.first_name}
        )
    now = timezone.now()
    replaced = Proof.objects.select_for_update().filter(
        beneficiary=beneficiary, purpose=purpose, status=Proof.Status.PENDING
    )
    ProofFile.objects.filter(proof__in=replaced).delete()
    replaced.update(status=Proof.Status.REPLACED, decided_at=now)
    proof = Proof.objects.create(
        beneficiary=beneficiary, purpose=purpose, kind=kind, sent_at=now, sent_by=acting_user
    )
    ProofFile.objects.create(
        proof=proof, encrypted=encrypt(file.content), content_type=file.content_type, size=len(file.content)
    )
    return proof


def proof_file_content(proof: Proof) -> tuple[bytes, str]:
    """The decrypted file of a proof waiting for a decision, and its type (``ProofFile.DoesNotExist``
    once decided or purged; ``UnreadableFile`` if no key reads it)."""
    stored = ProofFile.objects.get(proof=proof)
    return decrypt(stored.encrypted), stored.content_type


@transaction.atomic
def proof_decide(
    *,
    proof: Proof,
    accepted: bool,
    acting_user: User | None,
    reason: str = "",
    details: str = "",
) -> Proof:
    """Accept or refuse a proof (a manager of the member's structure, or staff: the admin checks
    who). The file is deleted at once; what stays is the document's kind, who decided, when, and
    the outcome (with the motif of a refusal, emailed to the member with a link to send another).
    """
    locked = Proof.objects.select_for_update().filter(pk=proof.pk, status=Proof.Status.PENDING).first()
    if locked is None:
        raise ProofAlreadyDecided
    if not accepted and reason not in Proof.RefusalReason.values:
        raise ValueError("a refusal needs one of Proof.RefusalReason")
    now = timezone.now()
    locked.status = Proof.Status.ACCEPTED if accepted else Proof.Status.REFUSED
    locked.decided_at = now
    locked.decided_by = acting_user
    locked.refusal_reason = "" if accepted else reason
    locked.refusal_details = "" if accepted else details.strip()[:500]
    if accepted and locked.purpose == Proof.Purpose.EXTENDED_AGE:
        locked.valid_until = timezone.localdate(now) + YEARLY_PROOF_VALIDITY
    locked.save()
    ProofFile.objects.filter(proof=locked).delete()
    if not accepted:
        beneficiary = locked.beneficiary
        member = beneficiary.member
        queue_email(
            "beneficiaries/email/proof_refused",
            member.email,
            {
                "member": member,
                "structure": member.structure,
                "beneficiary": beneficiary,
                "proof": locked,
                "send_url": absolute_url(reverse("proof_send", args=[beneficiary.pk])),
            },
            recipient=member,
        )
    return locked


# A proof sent in the signup wizard waits this long for the registration to be sent.
DRAFT_LIFETIME = datetime.timedelta(days=1)


@transaction.atomic
def proof_draft_keep(*, kind: str, file: CheckedFile, file_name: str, replaces: str | None = None) -> str:
    """Keep, encrypted, a proof sent in the signup wizard before its beneficiary exists; the
    token that names it (the wizard's session keeps it). ``replaces``: the token of the draft it
    replaces, deleted."""
    if replaces:
        ProofDraft.objects.filter(token=replaces).delete()
    token = secrets.token_urlsafe(32)
    ProofDraft.objects.create(
        token=token,
        kind=kind,
        file_name=file_name[:255],
        encrypted=encrypt(file.content),
        content_type=file.content_type,
        size=len(file.content),
    )
    return token


def proof_drafts_describe(tokens) -> dict[str, ProofDraft]:
    """The drafts still kept among ``tokens``, by token (without their files)."""
    tokens = [token for token in tokens if isinstance(token, str) and token]
    return {draft.token: draft for draft in ProofDraft.objects.filter(token__in=tokens).defer("encrypted")}


@transaction.atomic
def proofs_from_drafts(
    *, beneficiaries: Sequence[Beneficiary], tokens: Sequence[str | None], acting_user: User | None
) -> list[Proof]:
    """At the registration: each draft of ``tokens`` becomes the proof of the beneficiary at the
    same place, if the structure still asks that document of them (otherwise it is dropped and
    the beneficiary's state says what to send). The drafts are deleted."""
    proofs = []
    for beneficiary, token in zip(beneficiaries, tokens, strict=False):
        draft = ProofDraft.objects.filter(token=token).first() if token else None
        if draft is None:
            continue
        purpose = next(
            (purpose for purpose, kinds in proof_needs_today(beneficiary) if draft.kind in kinds), None
        )
        if purpose is not None:
            proof = Proof.objects.create(
                beneficiary=beneficiary, purpose=purpose, kind=draft.kind, sent_by=acting_user
            )
            ProofFile.objects.create(
                proof=proof, encrypted=draft.encrypted, content_type=draft.content_type, size=draft.size
            )
            proofs.append(proof)
        draft.delete()
    return proofs


@transaction.atomic
def proofs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of the proofs nobody checked within ``PURGE_UNCHECKED_PROOFS_AFTER_DAYS``
    (the daily purge; the member is asked for the proof again) and the signup wizard's drafts
    older than a day. The number of files deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PURGE_UNCHECKED_PROOFS_AFTER_DAYS)
    stale = list(
        Proof.objects.select_for_update()
        .filter(status=Proof.Status.PENDING, sent_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    ProofFile.objects.filter(proof__in=stale).delete()
    Proof.objects.filter(pk__in=stale).update(status=Proof.Status.EXPIRED, decided_at=now)
    drafts, _by_model = ProofDraft.objects.filter(created_at__lt=now - DRAFT_LIFETIME).delete()
    return len(stale) + drafts


# --- The yearly update ---------------------------------------------------------------------------


@transaction.atomic
def campaign_save(
    *,
    structure,
    starts_on: datetime.date,
    deadline: datetime.date,
    acting_user: User | None,
    campaign: Campaign | None = None,
) -> Campaign:
    """Create a structure's yearly update (``campaign`` ``None``) or change its dates; recorded
    in the structure's history. Its members are told on its start date by the daily command
    (``campaign_announce``). Raises ``ValidationError`` for a deadline not after the start or a
    second campaign starting the same day."""
    if deadline <= starts_on:
        raise ValidationError({"deadline": _("Choisissez une date limite après la date de début.")})
    same_day = Campaign.objects.filter(structure=structure, starts_on=starts_on)
    if campaign is not None:
        same_day = same_day.exclude(pk=campaign.pk)
    if same_day.exists():
        raise ValidationError(
            {
                "starts_on": _(
                    "Cette structure a déjà une campagne qui commence ce jour-là : choisissez-la dans la liste."
                )
            }
        )
    if campaign is None:
        before = {}
        campaign = Campaign.objects.create(structure=structure, starts_on=starts_on, deadline=deadline)
        description = _("Campagne annuelle créée")
    else:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = {"starts_on": campaign.starts_on, "deadline": campaign.deadline}
        campaign.starts_on, campaign.deadline = starts_on, deadline
        campaign.save(update_fields=["starts_on", "deadline"])
        description = _("Campagne annuelle modifiée")
    changes = field_changes(
        Campaign, before, {"starts_on": starts_on, "deadline": deadline}, ["starts_on", "deadline"]
    )
    if changes:
        event_record(
            kind=Event.Kind.STRUCTURE_CHANGED,
            acting_user=acting_user,
            structure=structure,
            description=f"{description} : {campaign}",
            changes=[
                {**change, "field": _("campagne : %(field)s") % {"field": change["field"]}}
                for change in changes
            ],
        )
    return campaign


@transaction.atomic
def family_confirm(*, member: User, campaign: Campaign, acting_user: User | None) -> FamilyConfirmation:
    """The member says "Ma famille est à jour" in ``campaign`` (of their structure, started):
    recorded once with when; confirming again changes nothing."""
    if campaign.structure_id != member.structure_id or campaign.starts_on > timezone.localdate():
        raise ValidationError(_("Cette mise à jour ne vous concerne pas."))
    confirmation, _created = FamilyConfirmation.objects.get_or_create(campaign=campaign, member=member)
    return confirmation


def _campaign_email(template: str, campaign: Campaign, member: User) -> None:
    queue_email(
        template,
        member.email,
        {
            "member": member,
            "structure": campaign.structure,
            "campaign": campaign,
            "beneficiary_count": member.beneficiary_count,
            "update_url": absolute_url(reverse("campaign_update")),
        },
        recipient=member,
    )


def campaign_announce(*, campaign: Campaign, today: datetime.date | None = None) -> int:
    """On (or after) its start date and until its deadline, email each member the campaign asks
    (``members_asked``) "Mettez à jour vos bénéficiaires", once: the campaign's row is locked and
    marked announced in the same transaction. Returns how many were emailed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().select_related("structure").get(pk=campaign.pk)
        if locked.announced_at is not None or not locked.starts_on <= today <= locked.deadline:
            return 0
        members = list(members_asked(locked))
        for member in members:
            _campaign_email("beneficiaries/email/campaign_announce", locked, member)
        locked.announced_at = timezone.now()
        locked.save(update_fields=["announced_at"])
    campaign.announced_at = locked.announced_at
    return len(members)


def campaign_remind(*, campaign: Campaign, today: datetime.date | None = None) -> int:
    """``CAMPAIGN_REMINDER_DAYS`` days before the deadline (or later, until it), remind the
    members asked who have not confirmed yet, once, on a later day than the announcement.
    Returns how many were emailed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().select_related("structure").get(pk=campaign.pk)
        if (
            locked.reminded_at is not None
            or locked.announced_at is None
            or timezone.localdate(locked.announced_at) >= today
            or not locked.deadline - datetime.timedelta(days=CAMPAIGN_REMINDER_DAYS)
            <= today
            <= locked.deadline
        ):
            return 0
        members = [member for member in members_asked(locked) if not member.confirmed]
        for member in members:
            _campaign_email("beneficiaries/email/campaign_reminder", locked, member)
        locked.reminded_at = timezone.now()
        locked.save(update_fields=["reminded_at"])
    campaign.reminded_at = locked.reminded_at
    return len(members)


# --- Children who reach an age limit --------------------------------------------------------------


@transaction.atomic
def age_limit_notify(*, notice: AgeLimit) -> bool:
    """Tell the member that their child reaches an age limit on ``notice.reached_on`` and what
    keeps them entitled (the structure's extended-age proofs, if any), once per limit: the day
    is kept on the child (``age_limit_notice_for``). Returns whether an email went."""
    child = (
        Beneficiary.objects.select_for_update(of=("self",))
        .select_related("member__structure")
        .filter(pk=notice.beneficiary.pk)
        .first()
    )
    if child is None or child.age_limit_notice_for == notice.reached_on:
        return False
    child.age_limit_notice_for = notice.reached_on
    child.save(update_fields=["age_limit_notice_for"])
    documents = dict(ProofKind.choices)
    queue_email(
        "beneficiaries/email/age_limit",
        child.member.email,
        {
            "member": child.member,
            "structure": child.member.structure,
            "child": child,
            "limit": notice.limit,
            "reached_on": notice.reached_on,
            "extended_to": notice.extended_to,
            "proof_names": [str(documents[kind]).lower() for kind in notice.proof_kinds],
            "list_url": absolute_url(reverse("beneficiary_list")),
        },
        recipient=child.member,
    )
    return True


def age_limits_notify(*, structure, today: datetime.date | None = None) -> int:
    """The age-limit emails of a structure's children due ``today`` (``age_limits_ahead``).
    Returns how many went."""
    today = today or timezone.localdate()
    return sum(
        age_limit_notify(notice=notice)
        for notice in age_limits_ahead(structure, children_of_members(structure.pk), today)
    )
