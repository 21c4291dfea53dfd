"""Step 2, VOTRE ADRESSE DE LIVRAISON: France by default, a 5-digit postal code in France,
the browser hints of an address."""

import pytest
from django.urls import reverse

from accounts.signup.state import SESSION_KEY
from accounts.tests.signup_helpers import ACCOUNT, ADDRESS, ready_invitation, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def wizard(client):
    start(client, ready_invitation())
    client.post(reverse("signup_account"), ACCOUNT)
    return client


def post(client, **changes):
    return client.post(reverse("signup_address"), {**ADDRESS, **changes})


def stored(client) -> dict:
    return client.session[SESSION_KEY]["data"]["address"]


def test_page_has_the_seed_title_and_address_hints(wizard):
    page = wizard.get(reverse("signup_address")).content.decode()
    assert "<title>Votre adresse de livraison – Étape 2 sur 4 – CE+ Services</title>" in page
    assert '<h1 class="signup-stepper__title h2">Votre adresse de livraison</h1>' in page
    assert "Complétez votre adresse pour recevoir vos billets." in page
    assert "Étape 2 sur 4" in page
    assert "Étape suivante :</span> Ajout de bénéficiaires" in page
    for hint in ("address-line1", "address-line2", "postal-code", "address-level2", "country-name"):
        assert f'autocomplete="{hint}"' in page
    assert 'inputmode="numeric"' in page
    assert 'value="France"' in page
    assert "(facultatif)" in page


def test_valid_address_goes_to_step_3(wizard):
    response = post(wizard, line2="Bâtiment B", postal_code=" 68 100 ")
    assert response["Location"] == reverse("signup_beneficiaries")
    assert stored(wizard) == {
        "line1": "12 rue des Vosges",
        "line2": "Bâtiment B",
        "postal_code": "68100",
        "city": "Mulhouse",
        "country": "France",
    }


@pytest.mark.parametrize("postal_code", ["6810", "681000", "68A00", "ABCDE"])
def test_french_postal_code_has_five_digits(wizard, postal_code):
    response = post(wizard, postal_code=postal_code)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saisissez un code postal à 5 chiffres, par exemple 68100." in page
    assert "<title>Erreur : Votre adresse de livraison" in page


def test_country_spelled_otherwise_is_france(wizard):
    post(wizard, country="france ")
    assert stored(wizard)["country"] == "France"


def test_foreign_address_takes_its_own_postal_code(wizard):
    response = post(wizard, country="Suisse", postal_code="1201")
    assert response.status_code == 302
    assert stored(wizard)["postal_code"] == "1201"
    assert stored(wizard)["country"] == "Suisse"


def test_foreign_postal_code_must_look_like_one(wizard):
    response = post(wizard, country="Belgique", postal_code="<b>")
    assert "Saisissez un code postal avec des chiffres et des lettres seulement." in response.content.decode()


def test_missing_fields_say_what_to_type(wizard):
    page = wizard.post(reverse("signup_address"), {"nav": "next"}).content.decode()
    assert "Saisissez votre adresse, par exemple 12 rue des Vosges." in page
    assert "Saisissez votre code postal, par exemple 68100." in page
    assert "Saisissez votre ville." in page
    assert "Choisissez votre pays." in page
