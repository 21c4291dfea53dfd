"""Step 3's proofs: when the structure asks one, the wizard offers to send it (a PDF or a phone's
photo), or "Je les enverrai plus tard"; a file sent is kept encrypted as a draft and becomes the
beneficiary's proof at ENVOYER MA DEMANDE, waiting for a manager."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.signup_helpers import (
    ACCOUNT,
    ADDRESS,
    SPOUSE,
    beneficiary_rows,
    ready_invitation,
    start,
    submit,
    text,
)
from beneficiaries.models import Proof, ProofDraft, ProofFile, ProofKind, Relationship
from beneficiaries.services import proofs_purge
from ceplus.crypto import decrypt
from ceplus.tests.factories import PDF_BYTES, StructureFactory

pytestmark = pytest.mark.django_db

PROOFS = reverse("signup_proofs")


@pytest.fixture
def invitation():
    structure = StructureFactory(
        name="CSE Textiles",
        proof_required_kinds=[Relationship.SPOUSE],
        accepted_proofs=[ProofKind.LIVRET_FAMILLE],
    )
    return ready_invitation(structure=structure)


def to_step_3(client, invitation, *rows):
    start(client, invitation)
    client.post(reverse("signup_account"), ACCOUNT)
    client.post(reverse("signup_address"), ADDRESS)
    return client.post(reverse("signup_beneficiaries"), beneficiary_rows(*rows))


def test_step_3_states_the_proofs_asked_before_anything_is_typed(client, invitation):
    start(client, invitation)
    client.post(reverse("signup_account"), ACCOUNT)
    client.post(reverse("signup_address"), ADDRESS)
    page = text(client.get(reverse("signup_beneficiaries")))
    assert "Justificatifs demandés :" in page
    assert "Époux·se : livret de famille" in page


def test_a_spouse_leads_to_the_optional_proofs_page(client, invitation):
    response = to_step_3(client, invitation, SPOUSE)
    assert response["Location"] == PROOFS
    page = text(client.get(PROOFS))
    assert "Les justificatifs (facultatif)" in page
    assert "Quel document envoyez-vous pour Paul ?" in page
    assert "Je les enverrai plus tard" in page


def test_no_proof_asked_goes_straight_to_validation(client, invitation):
    child = {"relationship": "child", "last_name": "Martin", "first_name": "Léa", "birth_date": "14/03/2016"}
    assert to_step_3(client, invitation, child)["Location"] == reverse("signup_validation")
    assert client.get(PROOFS)["Location"] == reverse("signup_validation")


def test_later_sends_the_registration_without_a_proof(client, invitation):
    to_step_3(client, invitation, SPOUSE)
    assert client.post(PROOFS, {"nav": "later"})["Location"] == reverse("signup_validation")
    assert "Justificatif à envoyer plus tard" in text(client.get(reverse("signup_validation")))
    submit(client)
    assert User.objects.filter(email=ACCOUNT["email"]).exists()
    assert not Proof.objects.exists()


def test_a_proof_sent_in_the_wizard_waits_for_the_manager_after_the_registration(
    client, invitation, django_capture_on_commit_callbacks
):
    to_step_3(client, invitation, SPOUSE)
    response = client.post(
        PROOFS,
        {
            "nav": "next",
            "p0-kind": ProofKind.LIVRET_FAMILLE,
            "p0-file": SimpleUploadedFile("livret.pdf", PDF_BYTES),
        },
    )
    assert response["Location"] == reverse("signup_validation")
    draft = ProofDraft.objects.get()
    assert decrypt(draft.encrypted) == PDF_BYTES
    assert "Justificatif joint : Livret de famille (livret.pdf)" in text(
        client.get(reverse("signup_validation"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    proof = Proof.objects.get()
    assert proof.beneficiary.first_name == "Paul"
    assert (proof.status, proof.purpose, proof.kind) == (
        Proof.Status.PENDING,
        Proof.Purpose.RELATIONSHIP,
        ProofKind.LIVRET_FAMILLE,
    )
    assert proof.sent_by == User.objects.get(email=ACCOUNT["email"])
    assert decrypt(ProofFile.objects.get(proof=proof).encrypted) == PDF_BYTES
    assert not ProofDraft.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"p0-file": ("livret.pdf", PDF_BYTES)}, "Choisissez le document que vous envoyez."),
        ({"p0-kind": ProofKind.LIVRET_FAMILLE}, "ou cliquez sur « Je les enverrai plus tard »"),
        (
            {"p0-kind": ProofKind.LIVRET_FAMILLE, "p0-file": ("livret.png", PDF_BYTES)},
            "se termine par « .png »",
        ),
        (
            {"p0-kind": ProofKind.ACTE_NAISSANCE, "p0-file": ("livret.pdf", PDF_BYTES)},
            "Choisissez l'un des documents",
        ),
    ],
)
def test_a_bad_proof_in_the_wizard_is_said_in_french_and_nothing_kept(client, invitation, data, message):
    to_step_3(client, invitation, SPOUSE)
    post = {"nav": "next"}
    for name, value in data.items():
        post[name] = SimpleUploadedFile(*value) if isinstance(value, tuple) else value
    response = client.post(PROOFS, post)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "Il y a un problème" in page
    assert not ProofDraft.objects.exists()


def test_a_draft_left_behind_is_purged_after_a_day(client, invitation):
    to_step_3(client, invitation, SPOUSE)
    client.post(
        PROOFS,
        {
            "nav": "next",
            "p0-kind": ProofKind.LIVRET_FAMILLE,
            "p0-file": SimpleUploadedFile("livret.pdf", PDF_BYTES),
        },
    )
    assert proofs_purge(now=timezone.now() + datetime.timedelta(hours=23)) == 0
    assert proofs_purge(now=timezone.now() + datetime.timedelta(days=1, minutes=1)) == 1
    assert not ProofDraft.objects.exists()
