"""Mon adresse de livraison: created or changed with the wizard's checks."""

import pytest
from django.urls import reverse

from accounts.models import Address
from ceplus.tests.factories import AddressFactory, MemberFactory

pytestmark = pytest.mark.django_db

URL = reverse("member_address")
ADDRESS = {
    "line1": "3 rue du Rhin",
    "line2": "",
    "postal_code": "68 390",
    "city": "Sausheim",
    "country": "france",
}


@pytest.fixture
def member(client):
    member = MemberFactory()
    client.force_login(member)
    return member


def test_a_member_without_address_creates_one(client, member):
    page = client.get(URL).content.decode()
    assert "<title>Mon adresse de livraison – Mon espace adhérent – CE+ Services</title>" in page
    assert "Complétez votre adresse pour recevoir vos billets." in page
    assert 'autocomplete="postal-code"' in page
    assert 'inputmode="numeric"' in page
    response = client.post(URL, ADDRESS)
    assert response.status_code == 302
    address = Address.objects.get(user=member)
    assert (address.line1, address.postal_code, address.city, address.country) == (
        "3 rue du Rhin",
        "68390",
        "Sausheim",
        "France",
    )


def test_the_address_is_replaced_not_duplicated(client, member):
    AddressFactory(user=member)
    page = client.get(URL).content.decode()
    assert 'value="12 rue des Vosges"' in page
    client.post(URL, {**ADDRESS, "line2": "Bâtiment B"})
    assert Address.objects.filter(user=member).count() == 1
    assert Address.objects.get(user=member).line2 == "Bâtiment B"


@pytest.mark.parametrize("postal_code", ["6839", "683900", "ABCDE", ""])
def test_a_french_postal_code_has_five_digits(client, member, postal_code):
    response = client.post(URL, {**ADDRESS, "postal_code": postal_code})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Erreur : Mon adresse de livraison" in page
    assert "Il y a un problème" in page
    assert 'href="#id_postal_code"' in page
    assert not Address.objects.filter(user=member).exists()


def test_an_address_abroad_keeps_its_own_postal_code(client, member):
    client.post(URL, {**ADDRESS, "postal_code": "4051", "city": "Bâle", "country": "Suisse"})
    address = Address.objects.get(user=member)
    assert (address.postal_code, address.country) == ("4051", "Suisse")


def test_required_fields_say_what_to_type(client, member):
    page = client.post(
        URL, {"line1": " ", "postal_code": "68100", "city": "", "country": "France"}
    ).content.decode()
    assert "Saisissez votre adresse, par exemple 12 rue des Vosges." in page
    assert "Saisissez votre ville." in page


def test_the_address_is_the_members_own(client, member):
    """The form has no field naming a user: another member's address is never touched."""
    other = AddressFactory()
    client.post(URL, {**ADDRESS, "user": other.user.pk, "user_id": other.user.pk})
    other.refresh_from_db()
    assert other.line1 == "12 rue des Vosges"
    assert Address.objects.get(user=member).line1 == "3 rue du Rhin"
