"""Removing a beneficiary: a confirmation page, then the removal, recorded."""

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary, BeneficiaryChange
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    member = MemberFactory()
    client.force_login(member)
    return member


def test_the_removal_is_confirmed_first(client, member):
    beneficiary = BeneficiaryFactory(member=member)
    url = reverse("beneficiary_remove", args=[beneficiary.pk])
    page = client.get(url).content.decode()
    assert "Supprimer Léa Martin de vos bénéficiaires ?" in page
    assert Beneficiary.objects.filter(pk=beneficiary.pk).exists()


def test_the_removal_is_done_and_recorded(client, member):
    beneficiary = BeneficiaryFactory(member=member)
    response = client.post(reverse("beneficiary_remove", args=[beneficiary.pk]))
    assert response.status_code == 302
    assert not Beneficiary.objects.filter(pk=beneficiary.pk).exists()
    change = BeneficiaryChange.objects.get()
    assert change.action == BeneficiaryChange.Action.REMOVED
    assert change.acting_user == member
    assert change.beneficiary is None
    assert change.description == "Léa Martin (Enfant à charge), né·e le 14/03/2016"


def test_a_second_click_answers_404_and_records_nothing_more(client, member):
    beneficiary = BeneficiaryFactory(member=member)
    url = reverse("beneficiary_remove", args=[beneficiary.pk])
    client.post(url)
    assert client.post(url).status_code == 404
    assert BeneficiaryChange.objects.count() == 1


def test_removal_needs_a_post(client, member):
    beneficiary = BeneficiaryFactory(member=member)
    client.get(reverse("beneficiary_remove", args=[beneficiary.pk]))
    assert Beneficiary.objects.filter(pk=beneficiary.pk).exists()
