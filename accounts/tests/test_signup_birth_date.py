"""Step 3's date of birth is the GOV.UK date input: jour, mois, année, digits only, messages that
say what is wrong (an impossible date, a missing part, a date to come), a whole date pasted in the
first field understood, and the state still holding ISO dates."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.signup.state import SESSION_KEY
from accounts.tests.signup_helpers import ACCOUNT, ADDRESS, beneficiary_rows, ready_invitation, start, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def wizard(client):
    start(client, ready_invitation())
    client.post(reverse("signup_account"), ACCOUNT)
    client.post(reverse("signup_address"), ADDRESS)
    return client


def child(jour: str, mois: str, annee: str) -> dict:
    return {
        "relationship": "child",
        "last_name": "Martin",
        "first_name": "Léa",
        "birth_date_jour": jour,
        "birth_date_mois": mois,
        "birth_date_annee": annee,
    }


def post(client, *rows, nav="next"):
    return client.post(reverse("signup_beneficiaries"), beneficiary_rows(*rows, nav=nav))


def stored(client):
    return client.session[SESSION_KEY]["data"].get("beneficiaries")


def test_the_date_is_three_numeric_fields_in_a_fieldset_with_a_legend_and_a_hint(wizard):
    post(wizard, child("", "", ""), nav="add")
    page = text(wizard.get(reverse("signup_beneficiaries")))
    assert '<legend class="form-label fw-semibold mb-1">Date de naissance' in page
    assert "Par exemple 14 03 2016" in page
    for part, label in (("0", "Jour"), ("1", "Mois"), ("2", "Année")):
        assert f'for="id_beneficiaires-0-birth_date_{part}">{label}</label>' in page
    for name in ("jour", "mois", "annee"):
        assert f'name="beneficiaires-0-birth_date_{name}"' in page
    assert page.count('inputmode="numeric"') >= 3
    assert 'type="date"' not in page
    assert 'aria-describedby="id_beneficiaires-0-birth_date_helptext"' in page


def test_the_three_fields_are_not_autofilled(wizard):
    post(wizard, child("", "", ""), nav="add")
    page = text(wizard.get(reverse("signup_beneficiaries")))
    for part in ("0", "1", "2"):
        field = re.search(rf'<input[^>]*id="id_beneficiaires-0-birth_date_{part}"[^>]*>', page).group(0)
        assert 'autocomplete="off"' in field


def test_a_valid_date_is_kept_as_iso(wizard):
    response = post(wizard, child("14", "3", "2016"))
    assert response["Location"] == reverse("signup_validation")
    assert stored(wizard)[0]["birth_date"] == "2016-03-14"


def test_an_impossible_date_says_it_does_not_exist(wizard):
    response = post(wizard, child("31", "02", "2016"))
    assert response.status_code == 200
    page = text(response)
    assert "Cette date n'existe pas" in page
    assert 'href="#id_beneficiaires-0-birth_date_0"' in page
    assert stored(wizard) is None


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("14", "", "2016"), "La date de naissance doit comporter un mois"),
        (("", "03", "2016"), "La date de naissance doit comporter un jour"),
        (("14", "03", ""), "La date de naissance doit comporter une année"),
        (("14", "", ""), "La date de naissance doit comporter un mois et une année"),
    ],
)
def test_a_missing_part_is_named(wizard, parts, message):
    response = post(wizard, child(*parts))
    assert response.status_code == 200
    assert text(response).count(message) == 2  # in the summary and at the field


def test_a_date_to_come_keeps_its_message(wizard):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = post(wizard, child(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)))
    assert "La date de naissance doit être dans le passé." in text(response)


@pytest.mark.parametrize("pasted", ["14/03/2016", "14.03.2016", "14 03 2016", "2016-03-14"])
def test_a_whole_date_pasted_in_the_first_field_is_understood(wizard, pasted):
    response = post(wizard, child(pasted, "", ""))
    assert response["Location"] == reverse("signup_validation")
    assert stored(wizard)[0]["birth_date"] == "2016-03-14"


def test_a_leap_day_exists_in_a_leap_year_only(wizard):
    assert "Cette date n'existe pas" in text(post(wizard, child("29", "02", "2015")))
    response = post(wizard, child("29", "02", "2016"))
    assert response["Location"] == reverse("signup_validation")
    assert stored(wizard)[0]["birth_date"] == "2016-02-29"


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("14", "03", "16"), "L'année de naissance doit comporter 4 chiffres"),
        (("quatorze", "03", "2016"), "Saisissez la date de naissance en chiffres"),
        (("14", "13", "2016"), "Cette date n'existe pas"),
        (("14", "03", "1850"), "Vérifiez l'année de naissance"),
    ],
)
def test_other_wrong_dates_say_what_to_do(wizard, parts, message):
    assert message in text(post(wizard, child(*parts)))


def test_what_was_typed_is_shown_again_after_add_or_an_error(wizard):
    post(wizard, child("31", "02", "2016"), nav="add")
    page = text(wizard.get(reverse("signup_beneficiaries")))
    assert 'name="beneficiaires-0-birth_date_jour" value="31"' in page
    assert 'name="beneficiaires-0-birth_date_mois" value="02"' in page
    assert 'name="beneficiaires-0-birth_date_annee" value="2016"' in page


def test_a_stored_date_comes_back_in_its_three_fields(wizard):
    post(wizard, child("14", "03", "2016"))
    page = text(wizard.get(reverse("signup_beneficiaries")))
    assert 'name="beneficiaires-0-birth_date_jour" value="14"' in page
    assert 'name="beneficiaires-0-birth_date_mois" value="03"' in page
    assert 'name="beneficiaires-0-birth_date_annee" value="2016"' in page
