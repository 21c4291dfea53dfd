"""Factories for the tests of every app."""

import datetime
import time

import factory
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import timezone

from accounts.models import Address, User
from beneficiaries.models import Beneficiary, Proof, ProofFile, ProofKind, Relationship
from ceplus.crypto import encrypt
from ceplus.models import LegalDocument
from structures.models import Invitation, RosterEntry, Structure

PASSWORD = "Correct-horse-battery-42"
# The authenticator app secret of every manager and staff account made by the factories (base32).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app shows now for ``secret``."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def with_second_factor(obj, create, extracted, **kwargs):
    """Admin accounts sign in with a second factor (accounts.middleware): the factories give
    them an authenticator app on ``TOTP_SECRET``, unless ``second_factor=False``."""
    if create and extracted is not False:
        TOTP.activate(obj, TOTP_SECRET)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"CSE Structure {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    status = User.Status.APPROVED
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MemberFactory(UserFactory):
    structure = factory.SubFactory(StructureFactory)
    phone = "+33612345678"


class PendingMemberFactory(MemberFactory):
    status = User.Status.PENDING


class ManagerFactory(UserFactory):
    is_staff = True
    second_factor = factory.PostGeneration(with_second_factor)

    @factory.post_generation
    def structures(obj, create, extracted, **kwargs):
        from structures.services import manager_add

        for structure in extracted or []:
            manager_add(structure=structure, user=obj)


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True
    second_factor = factory.PostGeneration(with_second_factor)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(MemberFactory)
    line1 = "12 rue des Vosges"
    postal_code = "68100"
    city = "Mulhouse"


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    member = factory.SubFactory(MemberFactory)
    relationship = Relationship.CHILD
    first_name = "Léa"
    last_name = "Martin"
    birth_date = datetime.date(2016, 3, 14)


# The smallest file each check takes for what it says it is.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class ProofFactory(factory.django.DjangoModelFactory):
    """A proof waiting for a manager, with its file (``content``, a PDF by default) encrypted as
    the service keeps it."""

    class Meta:
        model = Proof
        skip_postgeneration_save = True

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    purpose = Proof.Purpose.RELATIONSHIP
    kind = ProofKind.LIVRET_FAMILLE

    @factory.post_generation
    def content(obj, create, extracted, **kwargs):
        if create and obj.status == Proof.Status.PENDING:
            data = PDF_BYTES if extracted is None else extracted
            ProofFile.objects.create(
                proof=obj, encrypted=encrypt(data), content_type=ProofFile.ContentType.PDF, size=len(data)
            )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    structure = factory.SubFactory(StructureFactory)
    kind = Invitation.Kind.SHARED


class LegalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalDocument

    kind = LegalDocument.Kind.CGU
    title = factory.LazyAttribute(lambda o: LegalDocument.Kind(o.kind).label)
    body = "Texte du document."
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


def publish_consent_documents() -> dict:
    """Current CGU, CGV and règlement, as a member accepts them at signup."""
    return {kind: LegalDocumentFactory(kind=kind) for kind in LegalDocument.CONSENT_KINDS}


class RosterEntryFactory(factory.django.DjangoModelFactory):
    """A person of a structure's staff list (liste du personnel)."""

    class Meta:
        model = RosterEntry

    structure = factory.SubFactory(StructureFactory)
    last_name = "Durand"
    first_name = "Alix"
    email = factory.Sequence(lambda n: f"salarie{n}@example.org")
