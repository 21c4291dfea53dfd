"""Mes bénéficiaires asks the date of birth as the wizard does: the GOV.UK date input (jour,
mois, année), with the same messages, and a saved date shown back in its three fields."""

import datetime
import re

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary, Relationship
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, StructureFactory

pytestmark = pytest.mark.django_db

URL = reverse("beneficiary_add")


def child(jour: str, mois: str, annee: str) -> dict:
    return {
        "relationship": "child",
        "last_name": "Martin",
        "first_name": "Léa",
        "birth_date_jour": jour,
        "birth_date_mois": mois,
        "birth_date_annee": annee,
    }


@pytest.fixture
def member(client):
    structure = StructureFactory(allowed_beneficiary_kinds=[Relationship.SPOUSE, Relationship.CHILD])
    member = MemberFactory(structure=structure)
    client.force_login(member)
    return member


def test_the_form_has_the_three_fields_not_a_date_picker(client, member):
    page = client.get(URL).content.decode()
    assert 'type="date"' not in page
    assert "<legend" in page
    assert "Par exemple 14 03 2016" in page
    for part in ("0", "1", "2"):
        field = re.search(rf'<input[^>]*id="id_birth_date_{part}"[^>]*>', page).group(0)
        assert 'inputmode="numeric"' in field
        assert 'autocomplete="off"' in field


def test_a_date_in_three_fields_is_saved(client, member):
    assert client.post(URL, child("14", "03", "2016")).status_code == 302
    assert Beneficiary.objects.get(member=member).birth_date == datetime.date(2016, 3, 14)


def test_a_whole_date_pasted_in_jour_is_understood(client, member):
    assert client.post(URL, child("14/03/2016", "", "")).status_code == 302
    assert Beneficiary.objects.get(member=member).birth_date == datetime.date(2016, 3, 14)


def test_an_impossible_date_and_a_missing_part_say_so(client, member):
    page = client.post(URL, child("31", "02", "2016")).content.decode()
    assert "Cette date n&#x27;existe pas" in page
    assert 'href="#id_birth_date_0"' in page
    page = client.post(URL, child("14", "", "2016")).content.decode()
    assert "La date de naissance doit comporter un mois" in page
    assert not Beneficiary.objects.exists()


def test_a_leap_day(client, member):
    assert "Cette date n&#x27;existe pas" in client.post(URL, child("29", "02", "2019")).content.decode()
    assert client.post(URL, child("29", "02", "2020")).status_code == 302
    assert Beneficiary.objects.get().birth_date == datetime.date(2020, 2, 29)


def test_a_date_to_come_is_refused(client, member):
    later = datetime.date.today() + datetime.timedelta(days=2)
    page = client.post(URL, child(str(later.day), str(later.month), str(later.year))).content.decode()
    assert "La date de naissance doit être dans le passé." in page


def test_the_edit_page_shows_the_saved_date_in_its_fields(client, member):
    beneficiary = BeneficiaryFactory(member=member, birth_date=datetime.date(2016, 3, 4))
    page = client.get(reverse("beneficiary_edit", args=[beneficiary.pk])).content.decode()
    assert 'name="birth_date_jour" value="04"' in page
    assert 'name="birth_date_mois" value="03"' in page
    assert 'name="birth_date_annee" value="2016"' in page
