"""Changing a beneficiary: same rules as an addition; each changed field is recorded."""

import datetime

import pytest
from django.urls import reverse

from beneficiaries.models import BeneficiaryChange, Relationship
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    member = MemberFactory(structure=StructureFactory(child_age_limit=25))
    client.force_login(member)
    return member


def data(beneficiary, **overrides):
    values = {
        "relationship": beneficiary.relationship,
        "last_name": beneficiary.last_name,
        "first_name": beneficiary.first_name,
        "birth_date": beneficiary.birth_date.isoformat(),
    }
    values.update(overrides)
    return values


def test_the_form_shows_the_current_values(client, member):
    beneficiary = BeneficiaryFactory(member=member)
    page = client.get(reverse("beneficiary_edit", args=[beneficiary.pk])).content.decode()
    assert "<title>Modifier Léa – Mon espace adhérent – CE+ Services</title>" in page
    assert 'value="Léa"' in page
    assert 'name="birth_date_jour" value="14"' in page
    assert 'name="birth_date_mois" value="03"' in page
    assert 'name="birth_date_annee" value="2016"' in page


def test_a_change_is_saved_and_recorded_field_by_field(client, member):
    beneficiary = BeneficiaryFactory(member=member)
    response = client.post(
        reverse("beneficiary_edit", args=[beneficiary.pk]),
        data(beneficiary, first_name="Léna", birth_date="15/03/2016"),
    )
    assert response.status_code == 302
    beneficiary.refresh_from_db()
    assert (beneficiary.first_name, beneficiary.birth_date) == ("Léna", datetime.date(2016, 3, 15))
    change = BeneficiaryChange.objects.get()
    assert change.action == BeneficiaryChange.Action.UPDATED
    assert change.beneficiary == beneficiary
    assert change.changes == [
        {"field": "prénom", "before": "Léa", "after": "Léna"},
        {"field": "date de naissance", "before": "14/03/2016", "after": "15/03/2016"},
    ]


def test_saving_without_change_records_nothing(client, member):
    beneficiary = BeneficiaryFactory(member=member)
    client.post(reverse("beneficiary_edit", args=[beneficiary.pk]), data(beneficiary))
    assert not BeneficiaryChange.objects.exists()


def test_the_partner_can_be_edited_but_not_doubled(client, member):
    """The partner being edited does not count against itself; a child cannot become a second one."""
    spouse = BeneficiaryFactory(
        member=member, relationship=Relationship.SPOUSE, birth_date=datetime.date(1980, 1, 1)
    )
    kid = BeneficiaryFactory(member=member)
    assert (
        client.post(
            reverse("beneficiary_edit", args=[spouse.pk]), data(spouse, relationship="pacs")
        ).status_code
        == 302
    )
    response = client.post(reverse("beneficiary_edit", args=[kid.pk]), data(kid, relationship="conjoint"))
    assert "un seul conjoint" in response.content.decode()
    kid.refresh_from_db()
    assert kid.relationship == Relationship.CHILD


def test_the_age_limit_applies_to_a_change_too(client, member):
    beneficiary = BeneficiaryFactory(member=member)
    page = client.post(
        reverse("beneficiary_edit", args=[beneficiary.pk]), data(beneficiary, birth_date="1990-01-01")
    ).content.decode()
    assert "accepte les enfants de moins de 25 ans" in page
    beneficiary.refresh_from_db()
    assert beneficiary.birth_date == datetime.date(2016, 3, 14)
