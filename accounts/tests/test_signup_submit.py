"""ENVOYER MA DEMANDE: one transaction creates the pending member of the invitation's
structure, the address, the beneficiaries, the consents (document, version, time, IP) and the
link to the invitation; a personal invitation is used up; the seed's confirmation follows."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.utils import timezone

from accounts.models import Consent, JobTitle, User
from accounts.tests.signup_helpers import (
    ACCOUNT,
    CHILD,
    PASSWORD,
    SPOUSE,
    consents,
    ready_invitation,
    submit,
    text,
    walk_to_validation,
)
from ceplus.models import LegalDocument
from ceplus.tests import factories
from structures.models import Invitation, MembershipDecision

pytestmark = pytest.mark.django_db


@pytest.mark.real_hashers
def test_submission_creates_the_pending_registration(client):
    structure = factories.StructureFactory(name="CSE Textiles")
    invitation = ready_invitation(structure=structure)
    walk_to_validation(client, invitation, beneficiaries=[CHILD, SPOUSE])
    response = submit(client, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert response["Location"] == reverse("signup_sent")

    member = User.objects.get()
    assert member.email == "marie.martin@example.org"
    assert (member.last_name, member.first_name) == ("Martin", "Marie")
    assert member.job_title == JobTitle.objects.get(name="Comptable")
    assert member.phone == "+33612345678"
    assert member.status == User.Status.PENDING
    assert member.structure == structure
    assert member.invitation == invitation
    assert member.is_active
    assert not member.is_staff
    assert not member.is_superuser
    assert check_password(PASSWORD, member.password)
    assert member.password.startswith("argon2$")

    assert (member.address.line1, member.address.postal_code, member.address.city) == (
        "12 rue des Vosges",
        "68100",
        "Mulhouse",
    )
    assert sorted(member.beneficiaries.values_list("first_name", "relationship", "birth_date")) == [
        ("Léa", "child", datetime.date(2016, 3, 14)),
        ("Paul", "spouse", datetime.date(1985, 6, 1)),
    ]
    decision = MembershipDecision.objects.get(member=member)
    assert (decision.from_status, decision.to_status, decision.structure) == ("", "pending", structure)


def test_consents_record_the_document_version_time_and_ip(client):
    invitation = ready_invitation()
    newer_cgu = factories.LegalDocumentFactory(kind=LegalDocument.Kind.CGU)
    walk_to_validation(client, invitation)
    before = timezone.now()
    client.post(reverse("signup_validation"), consents(), REMOTE_ADDR="203.0.113.7")
    member = User.objects.get()
    recorded = {consent.document.kind: consent for consent in Consent.objects.filter(user=member)}
    assert set(recorded) == set(LegalDocument.CONSENT_KINDS)
    assert recorded["cgu"].document == newer_cgu
    assert recorded["cgu"].document.version == 2
    for consent in recorded.values():
        assert consent.ip_address == "203.0.113.7"
        assert consent.accepted_at >= before


def test_validation_page_links_each_current_document(client):
    documents = factories.publish_consent_documents()
    walk_to_validation(client, factories.InvitationFactory())
    page = text(client.get(reverse("signup_validation")))
    for document in documents.values():
        assert f'href="{document.get_absolute_url()}"' in page
    assert "OUI, j'accepte les conditions générales d'utilisation (CGU)" in page
    assert "OUI, j'accepte les conditions générales de vente (CGV)" in page
    assert "OUI, j'accepte le règlement de CE+ Services" in page


@pytest.mark.parametrize("missing", ["consent_cgu", "consent_cgv", "consent_reglement"])
def test_each_document_must_be_accepted(client, missing):
    walk_to_validation(client, ready_invitation())
    data = consents()
    del data[missing]
    response = client.post(reverse("signup_validation"), data)
    assert response.status_code == 200
    page = text(response)
    assert "Cochez OUI pour accepter" in page
    assert "<title>Erreur : Validation – Étape 4 sur 4" in page
    assert not User.objects.exists()


def test_unpublished_documents_stop_the_registration_with_a_french_message(client):
    walk_to_validation(client, factories.InvitationFactory())
    response = client.post(reverse("signup_validation"), {"consent_cgu": "on"})
    assert response.status_code == 200
    assert "Les inscriptions sont momentanément impossibles" in text(response)
    assert not User.objects.exists()


def test_confirmation_page_says_what_happens_next(client):
    invitation = ready_invitation(structure=factories.StructureFactory(name="CSE Textiles"))
    walk_to_validation(client, invitation)
    response = submit(client)
    page = text(client.get(response["Location"]))
    assert "Félicitations, votre demande a été envoyée" in page
    assert "CSE Textiles doit valider votre inscription." in page
    assert "ATTENTION !" not in page  # said before ENVOYER MA DEMANDE, not again here
    assert "Envoyer ma demande" not in page


def test_personal_invitation_is_used_up_and_its_address_verified(client):
    invitation = ready_invitation(kind=Invitation.Kind.PERSONAL, email="marie.martin@example.org")
    walk_to_validation(client, invitation)
    submit(client)
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    member = User.objects.get()
    assert member.invitation == invitation
    assert EmailAddress.objects.get(user=member).verified
    assert client.get(reverse("signup_start", args=[invitation.token])).status_code == 410


def test_shared_link_stays_usable_and_the_address_is_to_be_confirmed(client):
    invitation = ready_invitation()
    walk_to_validation(client, invitation)
    submit(client)
    invitation.refresh_from_db()
    assert invitation.used_at is None
    address = EmailAddress.objects.get(user=User.objects.get())
    assert (address.email, address.primary, address.verified) == ("marie.martin@example.org", True, False)


def test_personal_invitation_used_meanwhile_refuses_and_creates_nothing(client):
    invitation = ready_invitation(kind=Invitation.Kind.PERSONAL, email="marie.martin@example.org")
    walk_to_validation(client, invitation)
    Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())
    response = submit(client)
    assert response.status_code == 410
    assert "Ce lien personnel a déjà servi à créer un compte." in text(response)
    assert not User.objects.exists()


def test_invitation_expired_at_the_last_step_refuses_and_creates_nothing(client):
    invitation = ready_invitation()
    walk_to_validation(client, invitation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = submit(client)
    assert response.status_code == 410
    assert not User.objects.exists()


def test_rules_changed_meanwhile_send_the_person_back_to_the_beneficiaries(client):
    invitation = ready_invitation()
    walk_to_validation(client, invitation, beneficiaries=[SPOUSE])
    invitation.structure.allowed_beneficiary_kinds = ["child"]
    invitation.structure.save()
    response = submit(client)
    assert response["Location"] == reverse("signup_beneficiaries")
    assert not User.objects.exists()
    page = text(client.get(response["Location"]))
    assert "n'accepte pas ce lien comme bénéficiaire" in page
    assert 'value="Paul"' in page


def test_job_title_withdrawn_meanwhile_sends_the_person_back_to_step_1(client):
    walk_to_validation(client, ready_invitation())
    JobTitle.objects.filter(name=ACCOUNT["job_title"]).update(is_active=False)
    response = submit(client)
    assert response["Location"] == reverse("signup_account")
    assert "Cette fonction n'est plus proposée" in text(client.get(response["Location"]))
    assert not User.objects.exists()


def test_member_cannot_log_in_before_validation(client):
    walk_to_validation(client, ready_invitation())
    submit(client)
    response = client.post(reverse("account_login"), {"login": ACCOUNT["email"], "password": PASSWORD})
    assert response.status_code == 403
    assert "n'a pas encore validé votre inscription" in text(response)
