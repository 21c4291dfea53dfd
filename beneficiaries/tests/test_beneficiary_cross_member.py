"""A member never reaches another member's beneficiaries: another id in a URL answers 404."""

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary, BeneficiaryChange
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(client):
    client.force_login(MemberFactory())
    # Same structure or not, it is another member's.
    return BeneficiaryFactory(first_name="Quentin")


@pytest.mark.parametrize("name", ["beneficiary_edit", "beneficiary_remove"])
def test_another_members_beneficiary_answers_404(client, foreign, name):
    url = reverse(name, args=[foreign.pk])
    assert client.get(url).status_code == 404
    assert "Quentin" not in client.get(url).content.decode()


def test_another_members_beneficiary_cannot_be_changed_or_removed(client, foreign):
    edit = client.post(
        reverse("beneficiary_edit", args=[foreign.pk]),
        {"relationship": "child", "last_name": "X", "first_name": "Y", "birth_date": "2015-01-01"},
    )
    remove = client.post(reverse("beneficiary_remove", args=[foreign.pk]))
    assert (edit.status_code, remove.status_code) == (404, 404)
    foreign.refresh_from_db()
    assert foreign.first_name == "Quentin"
    assert not BeneficiaryChange.objects.exists()


def test_an_id_that_does_not_exist_answers_the_same(client, foreign):
    missing = Beneficiary.objects.order_by("-pk").first().pk + 1000
    assert client.get(reverse("beneficiary_edit", args=[missing])).status_code == 404
