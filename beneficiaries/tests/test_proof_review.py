"""Justificatifs à vérifier: a manager lists, opens and decides on their structures' proofs only;
the file is deleted at the decision; the member is told of a refusal."""

import datetime
import html

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Proof, ProofFile, ProofKind, Relationship
from beneficiaries.services import proof_decide
from ceplus.tests.factories import (
    PDF_BYTES,
    BeneficiaryFactory,
    ManagerFactory,
    MemberFactory,
    ProofFactory,
    StructureFactory,
)

LIST = reverse("admin:beneficiaries_proof_changelist")

pytestmark = pytest.mark.django_db


def page_url(proof):
    return reverse("admin:beneficiaries_proof_change", args=[proof.pk])


def file_url(proof):
    return reverse("admin:beneficiaries_proof_file", args=[proof.pk])


@pytest.fixture
def spouse(proof_structure):
    member = MemberFactory(structure=proof_structure, first_name="Marie", last_name="Martin")
    return BeneficiaryFactory(
        member=member,
        relationship=Relationship.SPOUSE,
        first_name="Paul",
        birth_date=datetime.date(1985, 5, 2),
    )


@pytest.fixture
def manager(proof_structure):
    return ManagerFactory(structures=[proof_structure])


@pytest.fixture
def other_manager(db):
    return ManagerFactory(structures=[StructureFactory(name="Boulangeries Alsaciennes")])


def test_the_list_opens_on_the_proofs_to_check_oldest_first(client, manager, spouse):
    now = datetime.datetime(2026, 12, 8, 10, tzinfo=datetime.UTC)
    recent = ProofFactory(beneficiary=spouse, sent_at=now)
    older = ProofFactory(
        beneficiary=BeneficiaryFactory(member=spouse.member, first_name="Zoé"),
        sent_at=now - datetime.timedelta(days=3),
    )
    ProofFactory(beneficiary=spouse, status=Proof.Status.ACCEPTED, sent_at=now - datetime.timedelta(days=9))
    client.force_login(manager)
    page = client.get(LIST).text
    assert page.index(page_url(older)) < page.index(page_url(recent))
    assert page.count('class="field-sent_at_display"') == 2


def test_opening_the_file_serves_it_as_an_attachment_never_rendered(client, manager, spouse):
    proof = ProofFactory(beneficiary=spouse)
    client.force_login(manager)
    response = client.get(file_url(proof))
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="justificatif-{proof.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in response["Cache-Control"]


def test_accepting_deletes_the_file_and_the_beneficiary_reads_verified(
    client, manager, spouse, django_capture_on_commit_callbacks
):
    proof = ProofFactory(beneficiary=spouse)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(proof), {"decision": "accept"})
    assert response.status_code == 302
    proof.refresh_from_db()
    assert proof.status == Proof.Status.ACCEPTED
    assert proof.decided_by == manager
    assert not ProofFile.objects.exists()
    assert client.get(file_url(proof)).status_code == 302  # "Le fichier … n'existe plus"
    client.force_login(spouse.member)
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f"Vérifié le {today}" in client.get(reverse("beneficiary_list")).text
    assert mail.outbox == []


def test_refusing_needs_a_motif_then_emails_the_member_with_a_link(
    client, manager, spouse, django_capture_on_commit_callbacks
):
    proof = ProofFactory(beneficiary=spouse)
    client.force_login(manager)
    response = client.post(page_url(proof), {"decision": "refuse"})
    assert response.status_code == 200
    assert "Choisissez le motif du refus" in html.unescape(response.text)
    assert ProofFile.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            page_url(proof), {"decision": "refuse", "reason": "unreadable", "details": "la photo est floue"}
        )
    proof.refresh_from_db()
    assert proof.status == Proof.Status.REFUSED
    assert not ProofFile.objects.exists()
    (email,) = mail.outbox
    assert email.to == [spouse.member.email]
    assert "Justificatif de Paul refusé" in email.subject
    assert "Le document est illisible (la photo est floue)" in email.body
    assert reverse("proof_send", args=[spouse.pk]) in email.body
    client.force_login(spouse.member)
    page = html.unescape(client.get(reverse("beneficiary_list")).text)
    assert "Refusé : Le document est illisible (la photo est floue)" in page
    assert "Envoyer un justificatif" in page


def test_a_decision_lands_on_the_next_proof_to_check(client, manager, spouse):
    first = ProofFactory(beneficiary=spouse, sent_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))
    second = ProofFactory(
        beneficiary=BeneficiaryFactory(member=spouse.member, first_name="Zoé"),
        sent_at=datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC),
    )
    client.force_login(manager)
    response = client.post(page_url(first), {"decision": "accept"})
    assert response["Location"] == page_url(second)
    response = client.post(page_url(second), {"decision": "accept"}, follow=True)
    assert "C'était le dernier justificatif à vérifier." in html.unescape(response.text)


def test_a_proof_decided_meanwhile_is_not_decided_twice(client, manager, spouse):
    proof = ProofFactory(beneficiary=spouse)
    proof_decide(proof=proof, accepted=True, acting_user=manager)
    client.force_login(manager)
    response = client.post(page_url(proof), {"decision": "refuse", "reason": "other", "details": "x"})
    assert response.status_code == 403
    proof.refresh_from_db()
    assert proof.status == Proof.Status.ACCEPTED
    assert mail.outbox == []


def test_another_structures_manager_cannot_list_open_or_decide(client, other_manager, spouse):
    proof = ProofFactory(beneficiary=spouse)
    client.force_login(other_manager)
    assert page_url(proof) not in client.get(LIST + "?etat=tous").text
    assert client.get(page_url(proof), follow=True).redirect_chain[-1][0] == reverse("admin:index")
    assert client.get(file_url(proof)).status_code == 404
    client.post(page_url(proof), {"decision": "accept"})
    proof.refresh_from_db()
    assert proof.status == Proof.Status.PENDING
    assert ProofFile.objects.filter(proof=proof).exists()


def test_staff_see_every_structures_proofs(client, spouse):
    from ceplus.tests.factories import StaffFactory

    proof = ProofFactory(beneficiary=spouse)
    client.force_login(StaffFactory())
    assert page_url(proof) in client.get(LIST).text
    assert client.get(file_url(proof)).status_code == 200


def test_the_page_says_what_the_proof_is_for(client, manager, spouse):
    proof = ProofFactory(beneficiary=spouse, kind=ProofKind.LIVRET_FAMILLE)
    client.force_login(manager)
    page = html.unescape(client.get(page_url(proof)).text)
    assert "Paul Martin, époux·se" in page
    assert "documents acceptés : Livret de famille" in page
    assert "Ouvrir le justificatif (fichier PDF, 1 Ko)" in page
