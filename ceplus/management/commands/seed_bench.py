"""Data for the performance benchmark: `python manage.py seed_bench [--members N]`.

100,000 members by default, 5% of them waiting for validation, each with a delivery address, a
confirmed email address, zero to three beneficiaries and the consents of the signup, spread
unevenly over five structures, 85% of them on their structure's staff list;
one manager of the biggest structure; one approved member. Every account has the same password
(printed), hashed once with the configured hasher.

It fills an empty database only, never one with accounts: it is meant for the throwaway database
of ``make bench`` (``scripts/bench.py``). Rows go in with ``bulk_create`` in batches, in one
transaction, then the tables are vacuumed and analysed so that PostgreSQL plans queries as it
would on a database that grew over years.
"""

import datetime
import random
import time

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import Address, Consent, JobTitle, User
from beneficiaries.models import Beneficiary, Relationship
from ceplus.models import LegalDocument
from ceplus.text import name_key
from structures.models import Invitation, RosterEntry, Structure
from structures.services import manager_add, shared_invitation_get_or_create

PASSWORD = "Bench-CE+2026"  # noqa: S105 -- printed on purpose: throwaway benchmark accounts only
MANAGER_EMAIL = "gestionnaire@bench.example"
# The manager's authenticator app (base32): a benchmark-only secret, printed for the benchmark.
MANAGER_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
MEMBER_EMAIL = "adherent@bench.example"

# Name, kind, share of the members. The first one is the biggest: its manager is benchmarked.
STRUCTURES = [
    ("CSE Aéronautique de Mulhouse", Structure.Kind.CSE, 0.40),
    ("CSE Textiles de Sausheim", Structure.Kind.CSE, 0.25),
    ("Boulangeries Alsaciennes SA", Structure.Kind.EMPLOYER, 0.15),
    ("CSE Hôpitaux du Haut-Rhin", Structure.Kind.CSE, 0.12),
    ("Transports Rhénans SAS", Structure.Kind.EMPLOYER, 0.08),
]

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Jade", "Louise", "Sarah", "Zoé",
    "Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Thomas", "Nathan", "Théo", "Raphaël",
    "Élodie", "Aurélie", "Sébastien", "François", "Jérôme", "Hélène", "Cécile", "Benoît", "Noël", "Anaïs",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Muller", "Schmitt", "Meyer", "Weber", "Klein", "Wolff", "Schneider", "Fischer", "Zimmermann", "Koch",
]  # fmt: skip
STREETS = [
    "rue des Vosges", "avenue de Colmar", "rue du Sauvage", "boulevard de l'Europe", "rue de Bâle",
    "rue des Tanneurs", "place de la Réunion", "rue du Rhin", "chemin des Vignes", "rue de la Gare",
]  # fmt: skip
CITIES = [
    ("68100", "Mulhouse"), ("68390", "Sausheim"), ("68000", "Colmar"), ("68200", "Mulhouse"),
    ("68110", "Illzach"), ("68270", "Wittenheim"), ("68300", "Saint-Louis"), ("67000", "Strasbourg"),
]  # fmt: skip
PARTNER_KINDS = [Relationship.CONJOINT, Relationship.SPOUSE, Relationship.PACS, Relationship.CONCUBIN]

DOCUMENTS = {
    LegalDocument.Kind.MENTIONS: "Mentions légales",
    LegalDocument.Kind.CGU: "Conditions générales d'utilisation",
    LegalDocument.Kind.CGV: "Conditions générales de vente",
    LegalDocument.Kind.REGLEMENT: "Règlement de CE+ Services",
}


class Command(BaseCommand):
    help = "Remplit une base vide avec les données du banc de performance (make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000, help="Nombre d'ouvrants-droit.")
        parser.add_argument(
            "--pending", type=int, default=None, help="Dont en attente de validation (5 %% par défaut)."
        )
        parser.add_argument("--batch-size", type=int, default=5_000, help="Lignes par insertion.")
        parser.add_argument("--seed", type=int, default=7, help="Graine du tirage aléatoire.")

    def handle(self, *args, members: int, pending: int | None, batch_size: int, seed: int, **options):
        if members < 1:
            raise CommandError("--members doit valoir au moins 1.")
        pending = members // 20 if pending is None else pending
        if not 0 <= pending < members:
            raise CommandError("--pending doit être compris entre 0 et --members - 1.")
        if batch_size < 1:
            raise CommandError("--batch-size doit valoir au moins 1.")
        if User.objects.exists():
            raise CommandError(
                "seed_bench remplit une base vide seulement : cette base a déjà des comptes. "
                "Lancez make bench, qui crée sa propre base."
            )

        started = time.monotonic()
        with transaction.atomic():
            invitations = self._structures()
            counts = self._members(invitations, members, pending, batch_size, random.Random(seed))
        # Fresh statistics, or PostgreSQL would plan the first queries as if the tables were empty;
        # and a vacuum now, not by autovacuum in the middle of the measurement. VACUUM cannot run
        # inside a transaction (the tests' one): ANALYZE alone there.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (User, Address, Beneficiary, EmailAddress, Structure, Invitation, RosterEntry):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")

        biggest = invitations[0]
        self.stdout.write(f"members: {counts['members']}")
        self.stdout.write(f"pending: {counts['pending']}")
        self.stdout.write(f"beneficiaries: {counts['beneficiaries']}")
        self.stdout.write(f"structure: {biggest.structure.name}")
        self.stdout.write(f"invite_path: {biggest.get_absolute_url()}")
        self.stdout.write(f"manager: {MANAGER_EMAIL} / {PASSWORD}")
        self.stdout.write(f"manager_totp: {MANAGER_TOTP_SECRET}")
        self.stdout.write(f"member: {MEMBER_EMAIL} / {PASSWORD}")
        self.stdout.write(f"seconds: {time.monotonic() - started:.1f}")

    def _structures(self) -> list[Invitation]:
        """The structures with their shared links, the legal documents, and the manager."""
        # In force since before the oldest registration, as the members accepted them.
        published = timezone.now() - datetime.timedelta(days=4 * 365)
        for kind, title in DOCUMENTS.items():
            if not LegalDocument.objects.filter(kind=kind).exists():
                LegalDocument.objects.create(
                    kind=kind,
                    title=title,
                    body=f"{title} du banc de performance.\n\nDeuxième paragraphe.",
                    published_at=published,
                )
        invitations = []
        for name, kind, _share in STRUCTURES:
            structure = Structure.objects.create(name=name, kind=kind, child_age_limit=20)
            invitations.append(shared_invitation_get_or_create(structure=structure))
        self.password_hash = make_password(PASSWORD)
        manager = User.objects.create(
            email=MANAGER_EMAIL,
            password=self.password_hash,
            first_name="Claire",
            last_name="Gestionnaire",
            status=User.Status.APPROVED,
        )
        EmailAddress.objects.create(user=manager, email=MANAGER_EMAIL, verified=True, primary=True)
        manager_add(structure=invitations[0].structure, user=manager)
        # Every admin account signs in with a second factor: the benchmark types its code.
        TOTP.activate(manager, MANAGER_TOTP_SECRET)
        return invitations

    def _members(
        self, invitations: list[Invitation], total: int, pending: int, batch_size: int, rng: random.Random
    ) -> dict:
        now = timezone.now()
        job_titles = list(JobTitle.objects.filter(is_active=True).values_list("pk", flat=True)) or [None]
        phones = [PhoneNumber.from_string(f"+336{rng.randrange(10**8):08d}") for _ in range(500)]
        weights = [share for _name, _kind, share in STRUCTURES]
        # Which members wait, which were refused or left: spread over the whole range.
        statuses = [User.Status.PENDING] * pending
        rejected = min(total - pending, total // 100)
        deactivated = min(total - pending - rejected, total // 50)
        statuses += [User.Status.REJECTED] * rejected + [User.Status.DEACTIVATED] * deactivated
        statuses += [User.Status.APPROVED] * (total - len(statuses))
        rng.shuffle(statuses)
        # The known member is an approved one of the biggest structure.
        known = statuses.index(User.Status.APPROVED) if User.Status.APPROVED in statuses else None

        counts = {"members": 0, "pending": 0, "beneficiaries": 0}
        for start in range(0, total, batch_size):
            users = []
            for index in range(start, min(start + batch_size, total)):
                status = statuses[index]
                invitation = invitations[0] if index == known else rng.choices(invitations, weights)[0]
                first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                # Pending registrations are recent; the others arrived over three years.
                age_days = rng.uniform(0, 45) if status == User.Status.PENDING else rng.uniform(30, 3 * 365)
                joined = now - datetime.timedelta(days=age_days)
                email = MEMBER_EMAIL if index == known else f"membre{index}@bench.example"
                users.append(
                    User(
                        email=email,
                        password=self.password_hash,
                        first_name=first_name,
                        last_name=last_name,
                        name_key=name_key(last_name, first_name),
                        phone=rng.choice(phones),
                        job_title_id=rng.choice(job_titles),
                        structure_id=invitation.structure_id,
                        invitation=invitation,
                        status=status,
                        status_changed_at=None if status == User.Status.PENDING else joined,
                        is_active=status != User.Status.DEACTIVATED,
                        date_joined=joined,
                    )
                )
            User.objects.bulk_create(users)
            self._details(users, rng, now, counts)
            counts["members"] += len(users)
            counts["pending"] += sum(user.status == User.Status.PENDING for user in users)
        return counts

    def _details(self, users: list[User], rng: random.Random, now: datetime.datetime, counts: dict) -> None:
        """Each member's address, email address, family and consents, as the signup wizard leaves
        them."""
        addresses, emails, beneficiaries, consents, roster = [], [], [], [], []
        documents = LegalDocument.objects.current_set(LegalDocument.CONSENT_KINDS).values()
        for user in users:
            consents += [
                Consent(user=user, document=document, accepted_at=user.date_joined) for document in documents
            ]
            postal_code, city = rng.choice(CITIES)
            addresses.append(
                Address(
                    user=user,
                    line1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                    postal_code=postal_code,
                    city=city,
                )
            )
            emails.append(EmailAddress(user=user, email=user.email, verified=True, primary=True))
            # The structures' staff lists hold most of their members, a few under another
            # address, some past their date de sortie.
            draw = rng.random()
            if draw < 0.85:
                roster.append(
                    RosterEntry(
                        structure_id=user.structure_id,
                        last_name=user.last_name,
                        first_name=user.first_name,
                        email=user.email if draw < 0.80 else f"pro.{user.email}",
                        name_key=user.name_key,
                        end_date=(now - datetime.timedelta(days=10)).date() if draw < 0.01 else None,
                    )
                )
            family = rng.choices([0, 1, 2, 3], weights=[40, 25, 20, 15])[0]
            kinds = [Relationship.CHILD] * family
            if family and rng.random() < 0.6:
                kinds[0] = rng.choice(PARTNER_KINDS)
            for kind in kinds:
                years = rng.uniform(25, 60) if kind != Relationship.CHILD else rng.uniform(0, 19)
                beneficiaries.append(
                    Beneficiary(
                        member=user,
                        relationship=kind,
                        last_name=user.last_name,
                        first_name=rng.choice(FIRST_NAMES),
                        birth_date=(now - datetime.timedelta(days=years * 365.25)).date(),
                    )
                )
        Address.objects.bulk_create(addresses)
        EmailAddress.objects.bulk_create(emails)
        Beneficiary.objects.bulk_create(beneficiaries)
        Consent.objects.bulk_create(consents)
        RosterEntry.objects.bulk_create(roster)
        counts["beneficiaries"] += len(beneficiaries)
