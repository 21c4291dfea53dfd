"""VALIDATION's "Modifier" links open their step on the way back: Suivant there returns straight to
VALIDATION (GOV.UK's check answers), as long as every step is still complete."""

import re

import pytest
from django.urls import reverse

from accounts.tests.signup_helpers import ACCOUNT, ADDRESS, CHILD, beneficiary_rows, ready_invitation, text
from accounts.tests.signup_helpers import walk_to_validation as walk

pytestmark = pytest.mark.django_db

RETURN = "?retour=validation"


@pytest.fixture
def wizard(client):
    walk(client, ready_invitation(), beneficiaries=[CHILD])
    return client


def modifier_links(client) -> list[str]:
    page = text(client.get(reverse("signup_validation")))
    return re.findall(r'href="([^"]+)">Modifier', page)


def test_each_modifier_link_says_it_comes_back(wizard):
    assert modifier_links(wizard) == [
        reverse("signup_account") + RETURN,
        reverse("signup_address") + RETURN,
        reverse("signup_beneficiaries") + RETURN,
    ]


def test_the_step_opened_from_validation_keeps_the_way_back_in_its_form(wizard):
    page = text(wizard.get(reverse("signup_address") + RETURN))
    assert '<input type="hidden" name="retour" value="validation">' in page


def test_modifier_the_account_then_suivant_returns_to_validation(wizard):
    response = wizard.post(
        reverse("signup_account") + RETURN,
        {**ACCOUNT, "first_name": "Mariette", "password1": "", "password2": "", "retour": "validation"},
    )
    assert response["Location"] == reverse("signup_validation")
    assert "Mariette" in text(wizard.get(reverse("signup_validation")))


def test_modifier_the_address_then_suivant_returns_to_validation(wizard):
    response = wizard.post(
        reverse("signup_address") + RETURN, {**ADDRESS, "city": "Sausheim", "retour": "validation"}
    )
    assert response["Location"] == reverse("signup_validation")
    assert "68100 Sausheim" in text(wizard.get(reverse("signup_validation")))


def test_modifier_the_beneficiaries_adding_a_row_stays_on_the_way_back(wizard):
    response = wizard.post(
        reverse("signup_beneficiaries"), {**beneficiary_rows(CHILD, nav="add"), "retour": "validation"}
    )
    assert response["Location"] == reverse("signup_beneficiaries") + RETURN + "#beneficiaire-2"
    response = wizard.post(reverse("signup_beneficiaries"), {**beneficiary_rows(), "retour": "validation"})
    assert response["Location"] == reverse("signup_validation")


def test_a_later_step_left_unfinished_is_the_next_stop(wizard):
    # given the address left unfinished with Précédent
    wizard.post(reverse("signup_address"), {**ADDRESS, "city": "", "nav": "back"})
    # when the account is changed from VALIDATION
    response = wizard.post(
        reverse("signup_account"), {**ACCOUNT, "password1": "", "password2": "", "retour": "validation"}
    )
    # then Suivant goes to the address, still on the way back
    assert response["Location"] == reverse("signup_address") + RETURN


def test_without_modifier_suivant_goes_to_the_next_step_as_before(wizard):
    response = wizard.post(reverse("signup_account"), {**ACCOUNT, "password1": "", "password2": ""})
    assert response["Location"] == reverse("signup_address")


def test_another_value_of_retour_is_ignored(wizard):
    response = wizard.post(reverse("signup_address"), {**ADDRESS, "retour": "https://ailleurs.example"})
    assert response["Location"] == reverse("signup_beneficiaries")
