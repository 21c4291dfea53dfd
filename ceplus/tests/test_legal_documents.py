"""Legal documents are versioned: a new version never overwrites the one members accepted."""

import datetime

import pytest
from django.utils import timezone

from ceplus.models import LegalDocument
from ceplus.services import legal_document_new_version
from ceplus.tests.factories import LegalDocumentFactory, StaffFactory


@pytest.mark.django_db
def test_versions_are_numbered_per_kind():
    first = LegalDocumentFactory(kind=LegalDocument.Kind.CGU)
    second = LegalDocumentFactory(kind=LegalDocument.Kind.CGU)
    other = LegalDocumentFactory(kind=LegalDocument.Kind.CGV)
    assert (first.version, second.version, other.version) == (1, 2, 1)


@pytest.mark.django_db
def test_current_version_is_the_latest_published():
    LegalDocumentFactory(kind=LegalDocument.Kind.CGU)
    published = LegalDocumentFactory(kind=LegalDocument.Kind.CGU)
    LegalDocumentFactory(
        kind=LegalDocument.Kind.CGU, published_at=timezone.now() + datetime.timedelta(days=3)
    )
    assert LegalDocument.objects.current(LegalDocument.Kind.CGU) == published


@pytest.mark.django_db
def test_a_new_version_leaves_the_accepted_one_untouched():
    accepted = LegalDocumentFactory(kind=LegalDocument.Kind.REGLEMENT, body="Version acceptée.")
    draft = legal_document_new_version(source=accepted)
    draft.body = "Version modifiée."
    draft.save()
    accepted.refresh_from_db()
    assert accepted.body == "Version acceptée."
    assert draft.version == accepted.version + 1
    assert not draft.is_published


@pytest.mark.django_db
def test_published_versions_are_read_only_in_the_admin(client):
    staff = StaffFactory()
    client.force_login(staff)
    document = LegalDocumentFactory(body="Texte initial.")
    response = client.post(
        f"/admin/ceplus/legaldocument/{document.pk}/change/",
        {
            "title": "Changé",
            "body": "Texte changé.",
            "published_at_0": "01/01/2020",
            "published_at_1": "00:00",
        },
    )
    assert response.status_code in (200, 302)
    document.refresh_from_db()
    assert document.body == "Texte initial."


@pytest.mark.django_db
def test_the_admin_action_prepares_a_new_version(client):
    client.force_login(StaffFactory())
    document = LegalDocumentFactory()
    response = client.post(
        "/admin/ceplus/legaldocument/",
        {"action": "new_version", "_selected_action": [document.pk]},
    )
    assert response.status_code == 302
    assert LegalDocument.objects.filter(kind=document.kind).count() == 2


@pytest.mark.django_db
def test_document_pages_show_the_current_and_past_versions(client):
    old = LegalDocumentFactory(kind=LegalDocument.Kind.CGV, body="Ancien texte.")
    LegalDocumentFactory(kind=LegalDocument.Kind.CGV, body="Nouveau texte.")
    current = client.get("/documents/cgv/")
    assert "Nouveau texte." in current.text
    past = client.get(f"/documents/cgv/version-{old.version}/")
    assert "Ancien texte." in past.text
    assert "plus en vigueur" in past.text


@pytest.mark.django_db
def test_unknown_documents_and_unpublished_versions_are_404(client):
    draft = LegalDocumentFactory(published_at=timezone.now() + datetime.timedelta(days=1))
    assert client.get("/documents/inconnu/").status_code == 404
    assert client.get(f"/documents/cgu/version-{draft.version}/").status_code == 404
