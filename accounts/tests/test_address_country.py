"""The country of the delivery address is chosen from a list in French, France first and chosen
by default, in the wizard and in Mon adresse de livraison."""

import re

import pytest
from django.urls import reverse

from accounts.models import Address
from accounts.signup.state import SESSION_KEY
from accounts.tests.signup_helpers import ACCOUNT, ADDRESS, ready_invitation, start, text
from ceplus.tests.factories import AddressFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wizard(client):
    start(client, ready_invitation())
    client.post(reverse("signup_account"), ACCOUNT)
    return client


def options(page: str) -> list[str]:
    select = re.search(r'<select name="country".*?</select>', page, re.DOTALL).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_country_is_a_list_with_france_first_and_chosen(wizard):
    page = text(wizard.get(reverse("signup_address")))
    assert '<select name="country"' in page
    assert 'autocomplete="country-name"' in page
    names = options(page)
    assert names[0] == "France"
    assert {"Allemagne", "Belgique", "Suisse", "Royaume-Uni", "Luxembourg"} <= set(names)
    assert names.index("Suisse") < names.index("Royaume-Uni") < names.index("Maroc")
    assert '<option value="France" selected>France</option>' in page
    assert '<optgroup label="Union européenne">' in page


def test_a_country_of_the_list_is_kept(wizard):
    response = wizard.post(
        reverse("signup_address"), {**ADDRESS, "country": "Allemagne", "postal_code": "79539"}
    )
    assert response["Location"] == reverse("signup_beneficiaries")
    assert wizard.session[SESSION_KEY]["data"]["address"]["country"] == "Allemagne"


def test_a_country_outside_the_list_is_refused_in_french(wizard):
    response = wizard.post(reverse("signup_address"), {**ADDRESS, "country": "Atlantide"})
    assert response.status_code == 200
    assert "Choisissez votre pays dans la liste." in text(response)


def test_mon_adresse_offers_the_same_list(client):
    member = MemberFactory()
    client.force_login(member)
    page = text(client.get(reverse("member_address")))
    assert options(page)[0] == "France"
    assert '<option value="France" selected>France</option>' in page
    client.post(
        reverse("member_address"), {**ADDRESS, "country": "Suisse", "postal_code": "4051", "city": "Bâle"}
    )
    assert Address.objects.get(user=member).country == "Suisse"


def test_a_country_recorded_before_the_list_is_shown_as_it_is(client):
    member = MemberFactory()
    AddressFactory(user=member, country="Japon")
    client.force_login(member)
    page = text(client.get(reverse("member_address")))
    assert '<option value="Japon" selected>Japon</option>' in page
