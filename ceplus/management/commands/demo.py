"""Demo data for a local run: `python manage.py demo [--base-url URL]`. Idempotent.

The data is made through the services, as people make it: the members register through their
structure's link and the approved one is validated by her manager, so their pages show the
history of decisions and changes."""

import datetime
import struct
import zlib

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import JobTitle, User
from accounts.services import address_save, consents_accept, email_address_add, profile_update
from beneficiaries.models import Campaign, Proof, ProofKind, Relationship
from beneficiaries.proof_files import check_proof_file
from beneficiaries.services import beneficiary_add, campaign_save, proof_send
from ceplus.models import LegalDocument
from structures.models import PartnerService, RosterImport, Structure, StructureLogo
from structures.roster.services import roster_replace
from structures.services import (
    manager_add,
    member_approve,
    member_register,
    partner_service_save,
    shared_invitation_get_or_create,
    structure_create,
    structure_update,
)

# The first structure's rules: a spouse or a PACS partner with a proof, children under 21, and
# under 26 with a proof of studies or apprenticeship.
RULES = {
    "proof_required_kinds": [Relationship.SPOUSE, Relationship.PACS],
    "accepted_proofs": [ProofKind.LIVRET_FAMILLE, ProofKind.ATTESTATION_PACS],
    "child_age_limit": 21,
    "child_extended_age_limit": 26,
    "child_extended_proofs": [ProofKind.CERTIFICAT_SCOLARITE, ProofKind.CONTRAT_APPRENTISSAGE],
}

# The first structure's contact, as its emails show it.
CONTACT = {
    "contact_email": "cse@cse-textiles.example",
    "contact_phone": "03 89 00 00 00",
    "contact_hours": "du lundi au vendredi, de 9 h à 12 h",
    "contact_message": "Permanence du CSE le jeudi de 12 h à 14 h, salle B (bâtiment administratif).",
}


def demo_pdf(text: str) -> bytes:
    """A one-page PDF saying ``text`` (ASCII), as a scanner would send a document."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def demo_logo(width: int = 144, height: int = 48) -> bytes:
    """A small PNG (a blue card with a white band), made without an imaging library."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    blue, white = bytes((10, 88, 202)), bytes((255, 255, 255))
    rows = []
    for y in range(height):
        band = height // 3 <= y < 2 * height // 3
        rows.append(
            b"\x00" + b"".join(white if band and 12 <= x < width - 12 else blue for x in range(width))
        )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


PASSWORD = "Demo-CE+2026"  # noqa: S105 -- printed on purpose: demo accounts only
# A service partenaire for the first structure's members, with known credentials (printed, like
# the passwords) so that a local OpenID Connect client can sign in with them.
DEMO_SERVICE = {
    "name": "Billetterie CE+",
    "client_id": "billetterie-demo",
    "secret": "Demo-CE+2026-billetterie",
    "url": "http://127.0.0.1:9000/",
    "redirect_uri": "http://127.0.0.1:9000/oidc/callback",
}

STRUCTURES = [
    ("CSE Textiles de Sausheim", Structure.Kind.CSE, "gestionnaire@cse-textiles.example"),
    ("Boulangeries Alsaciennes SA", Structure.Kind.EMPLOYER, "rh@boulangeries-alsaciennes.example"),
]

DOCUMENTS = {
    LegalDocument.Kind.MENTIONS: (
        "Mentions légales",
        "Le site est édité par CE+ Services, Zone Actipolis 1 - 24 A Route Départementale 201 - "
        "68390 SAUSHEIM.\n\nInscrite au Registre du T.I. de Mulhouse Vol. 87 Folio n°146 / "
        "SIRET 398 899 559 00049 / APE 9499Z.",
    ),
    LegalDocument.Kind.CGU: (
        "Conditions générales d'utilisation",
        "Les présentes conditions régissent l'utilisation de l'espace ouvrant-droit de CE+ Services.",
    ),
    LegalDocument.Kind.CGV: (
        "Conditions générales de vente",
        "Les présentes conditions régissent les ventes de billetterie et de services de CE+ Services.",
    ),
    LegalDocument.Kind.REGLEMENT: (
        "Règlement de CE+ Services",
        "Le règlement précise qui peut bénéficier des prestations et dans quelles conditions.",
    ),
}


class Command(BaseCommand):
    help = "Crée les données de démonstration (sans doublon si on la relance)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=settings.SITE_URL, help="Adresse du site pour les liens.")

    def handle(self, *args, base_url: str, **options):
        base_url = base_url.rstrip("/")
        # The data in one transaction; its emails (sent when it commits, printed by the console
        # backend of a local run) before the accounts, so that these stay on screen.
        with transaction.atomic():
            structures, staff, member, pending = self._data()
        for structure, manager, invitation in structures:
            self.stdout.write(f"structure: {structure.name}")
            self.stdout.write(f"invite_url: {base_url}{invitation.get_absolute_url()}")
            self.stdout.write(f"manager: {manager.email} / {PASSWORD}")
        self.stdout.write(f"staff: {staff.email} / {PASSWORD}")
        self.stdout.write(f"member: {member.email} / {PASSWORD}")
        self.stdout.write(f"pending: {pending.email} / {PASSWORD} (à valider par {structures[0][1].email})")
        self.stdout.write(
            f"partner_service: {DEMO_SERVICE['name']} / client_id: {DEMO_SERVICE['client_id']}"
            f" / client_secret: {DEMO_SERVICE['secret']} / redirect_uri: {DEMO_SERVICE['redirect_uri']}"
        )

    def _data(self):
        for kind, (title, body) in DOCUMENTS.items():
            if not LegalDocument.objects.filter(kind=kind).exists():
                LegalDocument.objects.create(kind=kind, title=title, body=body)

        structures = []
        for name, kind, manager_email in STRUCTURES:
            structure = Structure.objects.filter(name=name).first() or structure_create(
                structure=Structure(name=name, kind=kind, child_age_limit=20), acting_user=None
            )
            manager = self._user(manager_email, "Gestionnaire", name.split()[0], is_staff=True)
            manager_add(structure=structure, user=manager)
            invitation = shared_invitation_get_or_create(structure=structure)
            structures.append((structure, manager, invitation))

        first = structures[0][0]
        if not first.has_contact or not first.logo_path:
            structure_update(
                structure=first,
                values=CONTACT,
                logo=StructureLogo(content=demo_logo(), content_type=StructureLogo.ContentType.PNG),
                acting_user=None,
            )

        if first.child_extended_age_limit is None:
            allowed = [
                kind
                for kind in Relationship.values
                if kind in {*first.allowed_beneficiary_kinds, Relationship.SPOUSE, Relationship.PACS}
            ]
            structure_update(
                structure=first,
                values={**RULES, "allowed_beneficiary_kinds": allowed},
                acting_user=None,
            )

        staff = self._user("staff@ceplusservices.example", "Équipe", "CE+ Services", is_staff=True)
        if not staff.is_superuser:
            staff.is_superuser = True
            staff.save(update_fields=["is_superuser"])

        invitation, first_manager = structures[0][2], structures[0][1]
        member = User.objects.filter(email="marie.martin@example.org").first()
        if member is None:
            member = self._member(
                invitation,
                "marie.martin@example.org",
                "Marie",
                "Martin",
                phone="+33612345678",
                job_title="Comptable",
                address={"line1": "12 rue des Vosges", "postal_code": "68100", "city": "Mulhouse"},
            )
            beneficiary_add(
                member=member,
                relationship=Relationship.CHILD,
                last_name="Martin",
                first_name="Léa",
                birth_date=datetime.date(2016, 3, 14),
                acting_user=member,
            )
            member_approve(member=member, acting_user=first_manager)
            self._family_proofs(member)
            # A correction by her manager, for the history on her page.
            profile_update(
                member=member,
                last_name=member.last_name,
                first_name=member.first_name,
                job_title=member.job_title,
                phone="+33612345679",
                acting_user=first_manager,
            )
        # A registration waiting in the first structure's queue, to try the validation.
        pending = User.objects.filter(email="paul.bernard@example.org").first()
        if pending is None:
            pending = self._member(
                invitation,
                "paul.bernard@example.org",
                "Paul",
                "Bernard",
                phone="+33698765432",
                job_title="Magasinier",
                address={"line1": "3 rue de la Gare", "postal_code": "68390", "city": "Sausheim"},
                # Longer than the structure's reminder delay: marked in the queue.
                joined=timezone.now() - datetime.timedelta(days=9),
            )
            for relationship, first_name, birth_date in (
                (Relationship.CONJOINT, "Julie", datetime.date(1988, 2, 11)),
                (Relationship.CHILD, "Hugo", datetime.date(2017, 6, 2)),
                (Relationship.CHILD, "Lina", datetime.date(2021, 9, 23)),
            ):
                beneficiary_add(
                    member=pending,
                    relationship=relationship,
                    last_name="Bernard",
                    first_name=first_name,
                    birth_date=birth_date,
                    acting_user=pending,
                )
        self._roster(structures[0][0], first_manager, invitation)
        # The yearly update, open since a few days: Marie sees its banner.
        if not Campaign.objects.filter(structure=first).exists():
            today = timezone.localdate()
            campaign_save(
                structure=first,
                starts_on=today - datetime.timedelta(days=3),
                deadline=today + datetime.timedelta(days=30),
                acting_user=first_manager,
            )
        # A service partenaire, whose tile Marie sees on her home.
        if not PartnerService.objects.filter(client_id=DEMO_SERVICE["client_id"]).exists():
            partner_service_save(
                service=None,
                name=DEMO_SERVICE["name"],
                description="Vos places de concert, de cinéma et de parc de loisirs à prix CE.",
                url=DEMO_SERVICE["url"],
                redirect_uris=[DEMO_SERVICE["redirect_uri"]],
                scopes=["openid", "profile", "email", "membership", "beneficiaries"],
                structures=[structures[0][0]],
                logo=(demo_logo(96, 96), StructureLogo.ContentType.PNG),
                client_id=DEMO_SERVICE["client_id"],
                secret=DEMO_SERVICE["secret"],
                acting_user=staff,
            )
        return structures, staff, member, pending

    def _family_proofs(self, member: User) -> None:
        """Marie's husband, whose livret de famille waits in her managers' "Justificatifs", and
        her student daughter past 21, whose certificat de scolarité is still to send."""
        thomas = beneficiary_add(
            member=member,
            relationship=Relationship.SPOUSE,
            last_name="Martin",
            first_name="Thomas",
            birth_date=datetime.date(1984, 7, 9),
            acting_user=member,
        )
        proof_send(
            beneficiary=thomas,
            purpose=Proof.Purpose.RELATIONSHIP,
            kind=ProofKind.LIVRET_FAMILLE,
            file=check_proof_file("livret-de-famille.pdf", demo_pdf("Livret de famille - Martin (demo)")),
            acting_user=member,
        )
        today = timezone.localdate()
        beneficiary_add(
            member=member,
            relationship=Relationship.CHILD,
            last_name="Martin",
            first_name="Camille",
            birth_date=today.replace(year=today.year - 22) - datetime.timedelta(days=40),
            acting_user=member,
        )

    def _roster(self, structure: Structure, manager: User, invitation) -> None:
        """The first structure's staff list, uploaded by its manager: it holds Marie (validated)
        and Paul (waiting), Sophie under her work address while she registered with her own, a
        leaver past his date de sortie; Lucas, who registered too, is not on it."""
        if RosterImport.objects.filter(structure=structure).exists():
            return
        for email, first_name, last_name, days in (
            ("sophie.klein@courriel.example", "Sophie", "Klein", 2),
            ("lucas.weber@courriel.example", "Lucas", "Weber", 0),
        ):
            self._member(
                invitation,
                email,
                first_name,
                last_name,
                phone="+33611223344",
                job_title="Technicien",
                address={"line1": "8 rue du Rhin", "postal_code": "68100", "city": "Mulhouse"},
                joined=timezone.now() - datetime.timedelta(days=days),
            )
        leaver = self._member(
            invitation,
            "julien.roux@example.org",
            "Julien",
            "Roux",
            phone="+33655443322",
            job_title="Comptable",
            address={"line1": "21 avenue de Colmar", "postal_code": "68100", "city": "Mulhouse"},
            joined=timezone.now() - datetime.timedelta(days=400),
        )
        member_approve(member=leaver, acting_user=manager)
        left_on = (timezone.localdate() - datetime.timedelta(days=5)).strftime("%d/%m/%Y")
        lines = [
            "nom;prénom;email;matricule;date d'entrée;date de sortie",
            "Martin;Marie;marie.martin@example.org;A0042;01/09/2019;",
            "Bernard;Paul;paul.bernard@example.org;A0107;15/01/2024;",
            "Klein;Sophie;s.klein@cse-textiles.example;A0133;02/05/2022;",
            f"Roux;Julien;julien.roux@example.org;A0058;03/03/2018;{left_on}",
        ]
        roster_replace(
            structure=structure,
            content="\n".join(lines).encode(),
            file_name="liste-du-personnel.csv",
            acting_user=manager,
        )

    def _member(
        self,
        invitation,
        email: str,
        first_name: str,
        last_name: str,
        *,
        phone: str,
        job_title: str,
        address: dict,
        joined: datetime.datetime | None = None,
    ) -> User:
        """A member as the wizard leaves one: registered through the structure's link, with an
        address, a fonction and the documents in force accepted."""
        member = member_register(
            invitation=invitation,
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            job_title=JobTitle.objects.filter(name__startswith=job_title).first(),
            password_hash=make_password(PASSWORD),
            now=joined,
        )
        email_address_add(user=member, email=email, verified=True)
        address_save(member=member, line2="", country="France", acting_user=member, **address)
        consents_accept(
            member=member,
            documents=LegalDocument.objects.current_set(LegalDocument.CONSENT_KINDS).values(),
            ip_address=None,
        )
        return member

    def _user(self, email: str, first_name: str, last_name: str, **fields) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                PASSWORD,
                first_name=first_name,
                last_name=last_name,
                status=fields.pop("status", User.Status.APPROVED),
                **fields,
            )
        elif not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        return user
