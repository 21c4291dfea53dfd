"""Envoyer un justificatif, from Mes bénéficiaires: the file's type read from its content, its size
limit said in French, nothing stored for a bad file, the right document for what is asked."""

import datetime
import html

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beneficiaries.models import Proof, ProofFile, ProofKind, Relationship
from ceplus.crypto import decrypt
from ceplus.tests.factories import PDF_BYTES, BeneficiaryFactory, MemberFactory

JPEG_BYTES = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 12, 8, 10, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def student(proof_structure):
    """A 22-year-old child: past 21, within 26 with a proof of studies."""
    member = MemberFactory(structure=proof_structure)
    return BeneficiaryFactory(member=member, first_name="Hugo", birth_date=datetime.date(2004, 5, 2))


def send(client, beneficiary, name, content, kind=ProofKind.CERTIFICAT_SCOLARITE):
    client.force_login(beneficiary.member)
    return client.post(
        reverse("proof_send", args=[beneficiary.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )


def test_the_list_says_what_to_send_and_offers_it(client, student):
    client.force_login(student.member)
    page = client.get(reverse("beneficiary_list")).text
    assert "Justificatif à envoyer" in page
    assert reverse("proof_send", args=[student.pk]) in page
    # The rules, in plain French, before anything is typed.
    assert "moins de 21 ans, et de moins de 26 ans avec chaque année un justificatif" in page
    assert "Époux·se : livret de famille" in page


def test_a_phone_photo_is_kept_encrypted_until_a_manager_decides(client, student):
    response = send(client, student, "IMG_0042.JPG", JPEG_BYTES)
    assert response.status_code == 302
    proof = Proof.objects.get(beneficiary=student)
    assert (proof.status, proof.purpose, proof.kind) == (
        Proof.Status.PENDING,
        Proof.Purpose.EXTENDED_AGE,
        ProofKind.CERTIFICAT_SCOLARITE,
    )
    stored = ProofFile.objects.get(proof=proof)
    assert stored.content_type == "image/jpeg"
    assert bytes(stored.encrypted) != JPEG_BYTES
    assert JPEG_BYTES not in bytes(stored.encrypted)
    assert decrypt(stored.encrypted) == JPEG_BYTES
    page = client.get(reverse("beneficiary_list")).text
    assert "Justificatif envoyé, à vérifier" in page


def test_a_pdf_and_a_png_are_accepted(client, student):
    assert send(client, student, "certificat.pdf", PDF_BYTES).status_code == 302
    assert send(client, student, "scan.png", PNG_BYTES).status_code == 302
    # The second replaced the first, whose file is gone.
    assert list(Proof.objects.order_by("pk").values_list("status", flat=True)) == [
        Proof.Status.REPLACED,
        Proof.Status.PENDING,
    ]
    assert ProofFile.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "certificat.png",
            PDF_BYTES,
            "Le nom du fichier se termine par « .png » mais son contenu est au format PDF",
        ),
        (
            "certificat.pdf",
            b"<!DOCTYPE html><script>alert(1)</script>",
            "Ce fichier n'est ni un PDF, ni une photo",
        ),
        ("vide.pdf", b"", "Le fichier choisi est vide"),
        (
            "lourd.pdf",
            b"%PDF-" + b"0" * (5 * 1024 * 1024 - 4),
            "Le fichier fait 5,1 Mo, plus que les 5 Mo acceptés",
        ),
    ],
)
def test_a_bad_file_gets_a_french_message_and_nothing_is_stored(client, student, name, content, message):
    response = send(client, student, name, content)
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert message in page
    assert "Il y a un problème" in page
    assert not Proof.objects.exists()
    assert not ProofFile.objects.exists()


def test_five_megabytes_exactly_are_accepted(client, student):
    content = b"%PDF-" + b"0" * (5 * 1024 * 1024 - 5)
    assert send(client, student, "certificat.pdf", content).status_code == 302
    assert ProofFile.objects.get().size == 5 * 1024 * 1024


def test_a_document_the_structure_does_not_ask_is_refused(client, student):
    response = send(client, student, "livret.pdf", PDF_BYTES, kind=ProofKind.LIVRET_FAMILLE)
    assert response.status_code == 200
    assert "Choisissez l'un des documents proposés." in html.unescape(response.text)
    assert not Proof.objects.exists()


def test_a_beneficiary_needing_no_proof_gets_no_form(client, proof_structure):
    child = BeneficiaryFactory(
        member=MemberFactory(structure=proof_structure), birth_date=datetime.date(2015, 1, 1)
    )
    client.force_login(child.member)
    response = client.get(reverse("proof_send", args=[child.pk]), follow=True)
    assert "Aucun justificatif n'est demandé pour Léa." in html.unescape(response.text)


def test_another_members_beneficiary_is_not_found(client, student, proof_structure):
    client.force_login(MemberFactory(structure=proof_structure))
    assert client.get(reverse("proof_send", args=[student.pk])).status_code == 404
    response = client.post(
        reverse("proof_send", args=[student.pk]),
        {"kind": ProofKind.CERTIFICAT_SCOLARITE, "file": SimpleUploadedFile("c.pdf", PDF_BYTES)},
    )
    assert response.status_code == 404
    assert not Proof.objects.exists()


def test_the_form_needs_the_csrf_token(student):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(student.member)
    response = client.post(
        reverse("proof_send", args=[student.pk]),
        {"kind": ProofKind.CERTIFICAT_SCOLARITE, "file": SimpleUploadedFile("c.pdf", PDF_BYTES)},
    )
    assert response.status_code == 403
    assert not Proof.objects.exists()


def test_a_spouse_proof_is_asked_and_sent(client, proof_structure):
    spouse = BeneficiaryFactory(
        member=MemberFactory(structure=proof_structure),
        relationship=Relationship.SPOUSE,
        first_name="Paul",
        birth_date=datetime.date(1985, 5, 2),
    )
    page = send(client, spouse, "livret.pdf", PDF_BYTES, kind=ProofKind.LIVRET_FAMILLE)
    assert page.status_code == 302
    assert Proof.objects.get().purpose == Proof.Purpose.RELATIONSHIP
