"""What the email tests share: every email template of the tree, a context that fills each of
them, and a small PNG made without an imaging library."""

from __future__ import annotations

import datetime
import struct
import zlib
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from beneficiaries.models import Campaign, Proof, ProofKind
from ceplus.tests import factories
from structures.models import Invitation

EMAIL_FOLDERS = ("account/email", "accounts/email", "structures/email", "mfa/email", "beneficiaries/email")
LINK = "http://testserver/compte/lien/"


def email_prefixes() -> list[str]:
    """Every ``<prefix>_message.html`` under the email folders (the layouts left out)."""
    prefixes = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for folder in EMAIL_FOLDERS:
            for path in sorted(Path(directory, folder).glob("*_message.html")):
                name = path.name.removesuffix("_message.html")
                if name != "base":  # the layouts: base_message.html
                    prefixes.append(f"{folder}/{name}")
    return prefixes


def png(width: int = 8, height: int = 4, rgb: tuple[int, int, int] = (13, 110, 253)) -> bytes:
    """A valid PNG of one colour."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def email_context(structure=None) -> dict:
    """One context with everything any email template reads, as the services and allauth give it."""
    structure = structure or factories.StructureFactory(name="CSE Textiles de Sausheim")
    member = factories.MemberFactory(
        structure=structure,
        first_name="Marie",
        last_name="Martin",
        email="marie.martin@example.org",
        date_joined=timezone.make_aware(datetime.datetime(2026, 12, 1, 8, 30)),
    )
    manager = factories.ManagerFactory(
        first_name="Sophie", email="rh@textiles.example", structures=[structure]
    )
    invitation = factories.InvitationFactory(
        structure=structure,
        kind=Invitation.Kind.PERSONAL,
        email="lea.petit@example.org",
        expires_at=timezone.make_aware(datetime.datetime(2026, 12, 1, 18, 0)),
    )
    return {
        "user": member,
        "member": member,
        "manager": manager,
        "structure": structure,
        "previous": factories.StructureFactory(name="Boulangeries Alsaciennes SA"),
        "invitation": invitation,
        "invitation_url": LINK,
        "reason": "Vous ne faites pas partie du personnel de la structure.",
        "login_url": LINK,
        "admin_url": LINK,
        "queue_url": LINK,
        "set_password_url": LINK,
        "forgot_password_url": LINK,
        "password_reset_url": LINK,
        "activate_url": LINK,
        "email": member.email,
        "from_email": "ancienne@example.org",
        "to_email": "nouvelle@example.org",
        "deleted_email": "ancienne@example.org",
        "link_hours": 3,
        "timestamp": timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 5)),
        "beneficiary_count": 2,
        "registrations": [member],
        "count": 1,
        "more": 0,
        "pending_total": 1,
        # The yearly update and the age-limit notice.
        "campaign": Campaign(
            structure=structure, starts_on=datetime.date(2026, 11, 2), deadline=datetime.date(2026, 12, 1)
        ),
        "update_url": LINK,
        "list_url": LINK,
        "child": factories.BeneficiaryFactory(member=member, first_name="Léa"),
        "limit": 21,
        "reached_on": datetime.date(2026, 12, 1),
        "extended_to": 26,
        "proof_names": ["certificat de scolarité"],
        # A proof refused.
        "beneficiary": factories.BeneficiaryFactory(member=member, first_name="Hugo"),
        "proof": Proof(
            kind=ProofKind.CERTIFICAT_SCOLARITE,
            purpose=Proof.Purpose.EXTENDED_AGE,
            status=Proof.Status.REFUSED,
            refusal_reason=Proof.RefusalReason.UNREADABLE,
            refusal_details="la photo est floue",
        ),
        "send_url": LINK,
    }
