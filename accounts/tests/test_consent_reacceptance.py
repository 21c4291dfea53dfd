"""When staff publish a new version of the CGU, CGV or règlement, an approved member accepts it
at their next visit before going on, then lands where they were going."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Consent
from ceplus.models import LegalDocument
from ceplus.tests.factories import (
    LegalDocumentFactory,
    MemberFactory,
    PendingMemberFactory,
    publish_consent_documents,
)

pytestmark = pytest.mark.django_db

ACCEPT = reverse("member_consents_accept")


@pytest.fixture
def member(client):
    """A member who accepted the documents in force, as at signup."""
    documents = publish_consent_documents()
    member = MemberFactory()
    for document in documents.values():
        Consent.objects.create(user=member, document=document)
    client.force_login(member)
    return member


def test_nothing_new_nothing_asked(client, member):
    assert client.get(reverse("beneficiary_list")).status_code == 200


def test_a_new_version_is_asked_before_going_on(client, member):
    new_cgu = LegalDocumentFactory(kind=LegalDocument.Kind.CGU, published_at=timezone.now())
    response = client.get(reverse("beneficiary_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{ACCEPT}?next=%2Fespace%2Fbeneficiaires%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Nouvelles conditions à accepter" in page
    assert new_cgu.get_absolute_url() in page
    assert "Lire la version 2" in page
    assert "les conditions générales de vente" not in page  # only what changed


def test_accepting_records_the_consent_and_goes_on(client, member):
    new_cgu = LegalDocumentFactory(kind=LegalDocument.Kind.CGU, published_at=timezone.now())
    response = client.post(
        ACCEPT, {"consent_cgu": "on", "next": "/espace/beneficiaires/"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    assert response["Location"] == "/espace/beneficiaires/"
    consent = Consent.objects.get(user=member, document=new_cgu)
    assert consent.ip_address == "203.0.113.7"
    assert client.get(reverse("beneficiary_list")).status_code == 200


def test_refusing_to_tick_keeps_the_member_on_the_page(client, member):
    LegalDocumentFactory(kind=LegalDocument.Kind.REGLEMENT, published_at=timezone.now())
    response = client.post(ACCEPT, {"next": "/espace/"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Erreur : Nouvelles conditions à accepter" in page
    assert "Cochez OUI pour accepter le règlement de CE+ Services." in page
    assert client.get(reverse("member_home")).status_code == 302


def test_every_page_of_the_site_waits_but_reading_and_leaving_do_not(client, member):
    document = LegalDocumentFactory(kind=LegalDocument.Kind.CGV, published_at=timezone.now())
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("member_profile")).status_code == 302
    assert client.get(document.get_absolute_url()).status_code == 200
    assert client.get(reverse("member_data")).status_code == 200
    assert client.get(reverse("member_data_export")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


def test_a_version_published_later_is_not_asked_yet(client, member):
    LegalDocumentFactory(
        kind=LegalDocument.Kind.CGU, published_at=timezone.now() + datetime.timedelta(days=3)
    )
    assert client.get(reverse("member_home")).status_code == 200


def test_the_next_address_stays_on_this_site(client, member):
    LegalDocumentFactory(kind=LegalDocument.Kind.CGU, published_at=timezone.now())
    response = client.post(ACCEPT, {"consent_cgu": "on", "next": "https://evil.example/"})
    assert response["Location"] == reverse("member_home")


def test_members_not_yet_validated_are_not_asked(client):
    publish_consent_documents()
    pending = PendingMemberFactory()
    client.force_login(pending)
    assert client.get(reverse("home")).status_code == 200


def test_nothing_to_accept_goes_straight_on(client, member):
    response = client.get(ACCEPT + "?next=/espace/adresse/")
    assert response["Location"] == "/espace/adresse/"
