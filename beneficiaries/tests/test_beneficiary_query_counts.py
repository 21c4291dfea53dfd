"""Pages of the member area cost a fixed number of queries however many beneficiaries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ceplus.tests.factories import (
    AddressFactory,
    BeneficiaryFactory,
    MemberFactory,
    publish_consent_documents,
)

pytestmark = pytest.mark.django_db

PAGES = [
    ("member_home", []),
    ("member_profile", []),
    ("member_address", []),
    ("beneficiary_list", []),
    ("beneficiary_add", []),
    ("member_consents", []),
    ("member_data", []),
    ("member_data_export", []),
]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_queries_do_not_grow_with_beneficiaries(client, name, args):
    from accounts.models import Consent

    documents = publish_consent_documents()
    member = MemberFactory()
    for document in documents.values():
        Consent.objects.create(user=member, document=document)
    AddressFactory(user=member)
    client.force_login(member)
    url = reverse(name, args=args)
    BeneficiaryFactory(member=member)
    client.get(url)  # the session's first visit stores what it learnt
    few = count_queries(client, url)
    for day in range(12):
        BeneficiaryFactory(member=member, birth_date=datetime.date(2010, 1, day + 1))
    many = count_queries(client, url)
    assert few == many, f"{name}: {few} queries with 1 beneficiary, {many} with 13"


def test_editing_a_beneficiary_costs_the_same_with_many(client):
    member = MemberFactory()
    client.force_login(member)
    beneficiary = BeneficiaryFactory(member=member)
    url = reverse("beneficiary_edit", args=[beneficiary.pk])
    client.get(url)
    few = count_queries(client, url)
    for day in range(12):
        BeneficiaryFactory(member=member, birth_date=datetime.date(2010, 1, day + 1))
    assert count_queries(client, url) == few
