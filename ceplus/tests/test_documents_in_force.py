"""Every request of an approved member checks the legal documents in force with their ids
only, kept in the process for a minute: no query and no text on most requests, a version
saved in the admin seen at once, one published elsewhere within the minute."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Consent
from ceplus import legal_documents
from ceplus.models import LegalDocument
from ceplus.services import legal_document_save
from ceplus.tests.factories import LegalDocumentFactory, MemberFactory, publish_consent_documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    member = MemberFactory()
    for document in publish_consent_documents().values():
        Consent.objects.create(user=member, document=document)
    client.force_login(member)
    return member


def legal_queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in queries.captured_queries if "ceplus_legaldocument" in query["sql"]]


def test_a_member_who_accepted_the_documents_costs_no_query_for_them(client, member):
    legal_queries(client, reverse("member_home"))
    assert legal_queries(client, reverse("beneficiary_list")) == []


def test_the_check_never_reads_the_documents_text(client, member):
    legal_documents.forget_documents_in_force()
    for sql in legal_queries(client, reverse("beneficiary_list")):
        assert '"body"' not in sql


def test_a_version_saved_in_the_admin_is_asked_at_once(client, member):
    legal_queries(client, reverse("member_home"))
    legal_document_save(
        document=LegalDocument(
            kind=LegalDocument.Kind.CGU, title="CGU", body="Nouveau texte", published_at=timezone.now()
        )
    )
    response = client.get(reverse("beneficiary_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("member_consents_accept"))


def test_a_version_published_by_another_process_is_asked_within_the_minute(client, member, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(legal_documents.time, "monotonic", lambda: clock[0])
    legal_queries(client, reverse("member_home"))
    LegalDocumentFactory(
        kind=LegalDocument.Kind.CGU, published_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(reverse("beneficiary_list")).status_code == 200  # not seen yet
    clock[0] += legal_documents.IN_FORCE_CACHE_SECONDS
    response = client.get(reverse("beneficiary_list"))
    assert response.status_code == 302
