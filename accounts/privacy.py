"""A member's personal data (RGPD): a copy of everything the product holds about them, the
erasure of their account, and the purge of registrations and former members kept too long."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Address, Consent, Event, ServiceConsent, User
from beneficiaries.models import Beneficiary, BeneficiaryChange, FamilyConfirmation, Proof
from ceplus.models import OutgoingEmail
from ceplus.services import outgoing_emails_erase
from structures.models import MembershipDecision, status_label
from structures.services import invitations_forget

logger = logging.getLogger(__name__)


def _date(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _verified_emails_of(member: User) -> QuerySet[EmailAddress]:
    """The addresses ``member`` proved they own (allauth's confirmed ones), as a subquery. The
    login address alone proves nothing: the shared link accepts any address, and a pending
    change is anyone's address until its link is followed."""
    return EmailAddress.objects.filter(user=member, verified=True).values("email")


def _own_emails(member: User) -> QuerySet[OutgoingEmail]:
    """The outbox's emails that are ``member``'s: written for their account
    (``OutgoingEmail.recipient``), whatever address they went to; and those written for no
    known account, sent to one of their verified addresses, exactly (addresses are stored in
    lowercase). An email written for another account, or sent to an address the member has not
    proved, is someone else's, whatever its text says. The export lists exactly these, and the
    erasure deletes exactly these, queued or not."""
    return OutgoingEmail.objects.filter(
        Q(recipient=member) | Q(recipient__isnull=True, to__in=_verified_emails_of(member))
    )


def member_export(*, member: User) -> dict[str, Any]:
    """Everything the product holds about ``member``, for the JSON file they download: profile,
    email addresses, delivery address, beneficiaries and their history, consents, the
    decisions about the account, and the emails that are theirs (``_own_emails``, the ones
    the erasure deletes). A fixed number of queries."""
    member = User.objects.select_related("job_title", "structure", "invitation__structure").get(pk=member.pk)
    emails = list(EmailAddress.objects.filter(user=member).order_by("pk"))
    address = Address.objects.filter(user=member).first()
    beneficiaries = list(
        Beneficiary.objects.filter(member=member).prefetch_related(
            Prefetch("proofs", queryset=Proof.objects.order_by("sent_at", "pk"))
        )
    )
    changes = list(BeneficiaryChange.objects.filter(member=member).order_by("created_at", "pk"))
    consents = list(
        Consent.objects.filter(user=member).select_related("document").order_by("accepted_at", "pk")
    )
    decisions = list(MembershipDecision.objects.filter(member=member).order_by("created_at", "pk"))
    events = list(Event.objects.filter(member=member).order_by("created_at", "pk"))
    sent = list(_own_emails(member).order_by("created_at", "pk"))
    services = list(
        ServiceConsent.objects.filter(user=member).select_related("client").order_by("granted_at", "pk")
    )
    invitation = member.invitation
    return {
        "export": {
            "service": settings.OPERATOR["name"],
            "date": _date(timezone.now()),
            "description": "Copie des données personnelles que CE+ Services conserve à votre sujet.",
        },
        "profil": {
            "email": member.email,
            "nom": member.last_name,
            "prenom": member.first_name,
            "fonction": member.job_title.name if member.job_title else member.job_title_other or None,
            "telephone": member.phone.as_e164 if member.phone else None,
            "structure": member.structure.name if member.structure else None,
            "statut": status_label(member.status),
            "motif_du_statut": member.status_reason or None,
            "date_du_statut": _date(member.status_changed_at),
            "date_d_inscription": _date(member.date_joined),
            "derniere_connexion": _date(member.last_login),
            "identifiant_pour_les_services_partenaires": str(member.public_id),
        },
        "adresses_email": [
            {"email": email.email, "verifiee": email.verified, "principale": email.primary}
            for email in emails
        ],
        "adresse_de_livraison": (
            {
                "adresse": address.line1,
                "complement": address.line2 or None,
                "code_postal": address.postal_code,
                "ville": address.city,
                "pays": address.country,
                "modifiee_le": _date(address.updated_at),
            }
            if address
            else None
        ),
        "beneficiaires": [
            {
                "lien": str(beneficiary.get_relationship_display()),
                "nom": beneficiary.last_name,
                "prenom": beneficiary.first_name,
                "date_de_naissance": _date(beneficiary.birth_date),
                "ajoute_le": _date(beneficiary.created_at),
                "modifie_le": _date(beneficiary.updated_at),
                # What was sent and decided; the files themselves are deleted at the decision.
                "justificatifs": [
                    {
                        "document": str(proof.get_kind_display()),
                        "pour": str(proof.get_purpose_display()),
                        "etat": str(proof.get_status_display()),
                        "envoye_le": _date(proof.sent_at),
                        "decide_le": _date(proof.decided_at),
                        "motif_du_refus": proof.refusal_text or None,
                        "valable_jusqu_au": _date(proof.valid_until),
                    }
                    for proof in beneficiary.proofs.all()
                ],
            }
            for beneficiary in beneficiaries
        ],
        "historique_des_beneficiaires": [
            {
                "date": _date(change.created_at),
                "action": str(change.get_action_display()),
                "beneficiaire": change.description,
                "modifications": [
                    {"champ": item.get("field"), "avant": item.get("before"), "apres": item.get("after")}
                    for item in change.changes
                ],
            }
            for change in changes
        ],
        "mises_a_jour_annuelles": [
            {
                "campagne": str(confirmation.campaign),
                "famille_confirmee_le": _date(confirmation.confirmed_at),
            }
            for confirmation in FamilyConfirmation.objects.filter(member=member).select_related(
                "campaign__structure"
            )
        ],
        "consentements": [
            {
                "document": str(consent.document.get_kind_display()),
                "version": consent.document.version,
                "titre": consent.document.title,
                "accepte_le": _date(consent.accepted_at),
                "adresse_ip": consent.ip_address,
            }
            for consent in consents
        ],
        "services_partenaires": [
            {
                "service": consent.client.name,
                "autorisations": consent.scopes,
                "accorde_le": _date(consent.granted_at),
                "modifie_le": _date(consent.updated_at),
            }
            for consent in services
        ],
        "decisions": [
            {
                "date": _date(decision.created_at),
                "ancien_statut": status_label(decision.from_status) if decision.from_status else None,
                "nouveau_statut": status_label(decision.to_status),
                "motif": decision.reason or None,
            }
            for decision in decisions
        ],
        "historique_du_compte": [
            {
                "date": _date(event.created_at),
                "modification": str(event.get_kind_display()),
                "detail": event.description or None,
                "modifications": [
                    {"champ": item.get("field"), "avant": item.get("before"), "apres": item.get("after")}
                    for item in event.changes
                ],
            }
            for event in events
        ],
        "invitation": (
            {
                "structure": invitation.structure.name,
                "type": str(invitation.get_kind_display()),
                "utilisee_le": _date(invitation.used_at),
            }
            if invitation
            else None
        ),
        "emails_envoyes": [
            {
                "date": _date(email.created_at),
                "destinataire": email.to,
                "objet": email.subject,
                "etat": str(email.get_status_display()),
            }
            for email in sent
        ],
    }


def _session_keys_by_user(user_ids: set[int]) -> dict[int, list[str]]:
    """The live sessions of these users. Sessions are not indexed by user: this reads every
    live one, once, which a daily purge and the rare erasure can afford."""
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if not hasattr(store_class, "get_model_class"):
        return {}
    found: dict[int, list[str]] = {}
    wanted = {str(pk) for pk in user_ids}
    sessions = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session_key, session_data in sessions.values_list("session_key", "session_data").iterator(
        chunk_size=500
    ):
        user_id = store_class().decode(session_data).get("_auth_user_id")
        if user_id is not None and str(user_id) in wanted:
            found.setdefault(int(user_id), []).append(session_key)
    return found


def _delete_sessions(session_keys: Iterable[str]) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    for session_key in session_keys:
        # Through the store, so a cached_db engine forgets its cached copy too.
        engine.SessionStore(session_key=session_key).delete()


def _content_types_of(model) -> list[ContentType]:
    """The model's content type and its proxies' (the admin logs a proxy's own, e.g. the
    structures' "ouvrant-droit" admin over the user model)."""
    models = [m for m in apps.get_models() if m._meta.concrete_model is model]
    return list(ContentType.objects.get_for_models(*models, for_concrete_models=False).values())


def _delete_admin_history(member: User) -> None:
    """The admin's history names the objects it changed: the member, their address, their
    beneficiaries, their consents. Those lines go too."""
    objects = [
        (User, [member.pk]),
        (Address, list(Address.objects.filter(user=member).values_list("pk", flat=True))),
        (Beneficiary, list(Beneficiary.objects.filter(member=member).values_list("pk", flat=True))),
        (Consent, list(Consent.objects.filter(user=member).values_list("pk", flat=True))),
    ]
    query = Q(pk__in=[])
    for model, pks in objects:
        if pks:
            query |= Q(content_type__in=_content_types_of(model), object_id__in=[str(pk) for pk in pks])
    LogEntry.objects.filter(query).delete()


@transaction.atomic
def member_erase(*, member: User, acting_user: User | None, session_keys: list[str] | None = None) -> None:
    """Erase ``member``'s account and personal data at once: profile, email addresses, delivery
    address, beneficiaries and their history, consents, their emails (``_own_emails``: written
    for the account or sent to an address they proved, queued or not), their personal
    invitations (``invitations_forget``: the one they used, those to an address they proved), the
    admin's history lines about them, and their sessions. Nothing addressed to someone else
    goes, whatever address the member added without confirming it. The decisions about the
    account stay, anonymised (their ``member`` becomes empty).

    ``acting_user`` is the member themselves, or ``None`` for the purge. ``session_keys``, when
    given, are the member's live sessions (the purge finds everyone's in one pass).
    """
    member = User.objects.select_for_update().get(pk=member.pk)
    member_pk = member.pk
    if session_keys is None:
        session_keys = _session_keys_by_user({member.pk}).get(member.pk, [])

    # Before the user goes: their verified addresses (CASCADE) decide what else is theirs.
    outgoing_emails_erase(emails=_own_emails(member))
    invitations_forget(member=member, verified_emails=_verified_emails_of(member))
    _delete_admin_history(member)
    _delete_sessions(session_keys)
    # Address, beneficiaries, their history, consents and allauth's addresses go with the user
    # (CASCADE); the decisions stay with an empty member (SET_NULL).
    member.delete()
    logger.info(
        "Member %s erased (%s).",
        member_pk,
        "at their request" if acting_user is not None and acting_user.pk == member_pk else "purge",
    )


def purge_delays() -> dict[str, datetime.timedelta]:
    """How long each kind of account is kept, from the settings."""
    return {
        User.Status.PENDING: datetime.timedelta(days=settings.PURGE_PENDING_AFTER_DAYS),
        User.Status.REJECTED: datetime.timedelta(days=settings.PURGE_REJECTED_AFTER_DAYS),
        User.Status.DEACTIVATED: datetime.timedelta(days=settings.PURGE_DEACTIVATED_AFTER_DAYS),
    }


def members_to_purge(*, now: datetime.datetime | None = None) -> QuerySet[User]:
    """Registrations still pending, or rejected, and former (deactivated) members, kept past
    their delay: counted from the registration for a pending one, from the decision otherwise.
    Staff and managers are never purged."""
    now = now or timezone.now()
    delays = purge_delays()
    query = Q(status=User.Status.PENDING, date_joined__lt=now - delays[User.Status.PENDING])
    for status in (User.Status.REJECTED, User.Status.DEACTIVATED):
        query |= Q(status=status, decided_at__lt=now - delays[status])
    return (
        User.objects.annotate(decided_at=Coalesce("status_changed_at", "date_joined"))
        .filter(query, structure__isnull=False, is_staff=False, is_superuser=False)
        .order_by("pk")
    )


def members_purge(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Erase every member ``members_to_purge`` finds, each in its own transaction; returns how
    many of each status went."""
    members = list(members_to_purge(now=now))
    sessions = _session_keys_by_user({member.pk for member in members}) if members else {}
    counts = {status: 0 for status in purge_delays()}
    for member in members:
        member_erase(member=member, acting_user=None, session_keys=sessions.get(member.pk, []))
        counts[member.status] += 1
    return counts
