"""Adding a beneficiary in the member area, under the structure's rules, with French messages."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from beneficiaries.models import Beneficiary, BeneficiaryChange, Relationship
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, StructureFactory

pytestmark = pytest.mark.django_db

URL = reverse("beneficiary_add")


def child(**overrides):
    data = {"relationship": "child", "last_name": "Martin", "first_name": "Léa", "birth_date": "14/03/2016"}
    data.update(overrides)
    return data


@pytest.fixture
def structure():
    return StructureFactory(
        name="CSE Textiles",
        allowed_beneficiary_kinds=[Relationship.SPOUSE, Relationship.PACS, Relationship.CHILD],
        child_age_limit=20,
    )


@pytest.fixture
def member(client, structure):
    member = MemberFactory(structure=structure)
    client.force_login(member)
    return member


def test_the_form_offers_only_the_kinds_the_structure_accepts(client, member):
    page = client.get(URL).content.decode()
    assert "<title>Ajouter un bénéficiaire – Mon espace adhérent – CE+ Services</title>" in page
    assert 'value="child"' in page
    assert 'value="spouse"' in page
    assert 'value="concubin"' not in page
    assert 'autocomplete="off"' in page
    assert "Enfants de moins de 20 ans" in page


def test_a_child_is_added_and_the_change_recorded(client, member):
    response = client.post(URL, child())
    assert response.status_code == 302
    assert response["Location"] == reverse("beneficiary_list")
    beneficiary = Beneficiary.objects.get(member=member)
    assert (beneficiary.first_name, beneficiary.birth_date) == ("Léa", datetime.date(2016, 3, 14))
    change = BeneficiaryChange.objects.get()
    assert change.action == BeneficiaryChange.Action.ADDED
    assert change.member == member
    assert change.acting_user == member
    assert change.structure == member.structure
    assert "Léa Martin" in change.description


def test_a_kind_the_structure_refuses_is_not_added(client, member):
    response = client.post(URL, child(relationship="concubin"))
    assert "Choisissez un lien dans la liste." in response.content.decode()
    assert not Beneficiary.objects.exists()


def test_a_second_partner_is_refused(client, member):
    BeneficiaryFactory(member=member, relationship=Relationship.SPOUSE, birth_date=datetime.date(1985, 1, 1))
    response = client.post(URL, child(relationship="pacs", birth_date="1986-05-02"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Erreur : Ajouter un bénéficiaire" in page
    assert "Vous ne pouvez déclarer qu&#x27;un seul conjoint, époux ou partenaire." in page
    assert Beneficiary.objects.filter(member=member).count() == 1


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
def test_a_child_over_the_age_limit_gets_a_clear_message(client, member):
    response = client.post(URL, child(birth_date="2005-01-15"))
    page = response.content.decode()
    assert "Cet enfant a 21 ans au 01/06/2026 : CSE Textiles accepte les enfants de moins de 20 ans." in page
    assert 'href="#id_birth_date_0"' in page
    assert not Beneficiary.objects.exists()


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
def test_the_age_is_computed_at_the_structures_reference_date(client, member, structure):
    """Born 15/09/2006: 19 on 1 June 2026, but 20 on 31 December 2026."""
    structure.child_age_reference = structure.AgeReference.DECEMBER_31
    structure.save()
    page = client.post(URL, child(birth_date="2006-09-15")).content.decode()
    assert "Cet enfant a 20 ans au 31/12/2026" in page
    structure.child_age_reference = structure.AgeReference.TODAY
    structure.save()
    assert client.post(URL, child(birth_date="2006-09-15")).status_code == 302


def test_a_birth_date_in_the_future_is_refused(client, member):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    page = client.post(URL, child(birth_date=tomorrow.isoformat())).content.decode()
    assert "La date de naissance doit être dans le passé." in page
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize("typed", ["14/03/2016", "2016-03-14", "14.03.2016", "14-03-2016"])
def test_dates_are_accepted_as_a_french_person_types_them(client, member, typed):
    assert client.post(URL, child(birth_date=typed)).status_code == 302
    assert Beneficiary.objects.get().birth_date == datetime.date(2016, 3, 14)


@pytest.mark.parametrize("typed", ["31/02/2016", "demain", "14/03/1850"])
def test_a_wrong_date_says_what_to_type(client, member, typed):
    page = client.post(URL, child(birth_date=typed)).content.decode()
    assert "par exemple 14 03 2016" in page
    assert not Beneficiary.objects.exists()


def test_empty_fields_say_what_to_type(client, member):
    page = client.post(
        URL, {"relationship": "", "last_name": "", "first_name": " ", "birth_date": ""}
    ).content.decode()
    assert "Choisissez le lien entre ce bénéficiaire et vous." in page
    assert "Saisissez le nom du bénéficiaire." in page
    assert "Saisissez le prénom du bénéficiaire." in page
    assert "Saisissez la date de naissance, par exemple 14 03 2016." in page


def test_the_beneficiary_is_always_the_members_own(client, member):
    """Mass assignment: a posted member id is ignored."""
    other = MemberFactory()
    client.post(URL, {**child(), "member": other.pk, "member_id": other.pk})
    assert Beneficiary.objects.get().member == member
