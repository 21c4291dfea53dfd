"""Mes consentements: each version accepted, when, and whether it is still the one in force."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Consent
from ceplus.models import LegalDocument
from ceplus.tests.factories import LegalDocumentFactory, MemberFactory, publish_consent_documents

pytestmark = pytest.mark.django_db


def test_the_page_lists_versions_and_dates(client):
    documents = publish_consent_documents()
    member = MemberFactory()
    accepted = timezone.make_aware(datetime.datetime(2026, 3, 2, 14, 30))
    for document in documents.values():
        Consent.objects.create(user=member, document=document, accepted_at=accepted)
    other = MemberFactory()
    client.force_login(member)
    page = client.get(reverse("member_consents")).content.decode()
    assert "<title>Mes consentements – Mon espace adhérent – CE+ Services</title>" in page
    assert "Conditions générales d&#x27;utilisation (CGU)" in page
    assert "Règlement de CE+ Services" in page
    assert "Acceptée le 2 mars 2026 à 14:30" in page
    assert page.count("en vigueur") == 3
    assert documents[LegalDocument.Kind.CGV].get_absolute_url() in page
    assert other.email not in page


def test_a_replaced_version_says_so(client):
    documents = publish_consent_documents()
    member = MemberFactory()
    for document in documents.values():
        Consent.objects.create(user=member, document=document)
    new_cgu = LegalDocumentFactory(kind=LegalDocument.Kind.CGU, published_at=timezone.now())
    Consent.objects.create(user=member, document=new_cgu)
    client.force_login(member)
    page = client.get(reverse("member_consents")).content.decode()
    assert page.count("en vigueur") == 3
    assert page.count("remplacée depuis") == 1
    assert "Version 2" in page
    assert "Version 1" in page
