"""Step 3, AJOUT DE BÉNÉFICIAIRES: zero or more rows, added and removed without JavaScript,
under the structure's rules (links it accepts, one partner, child age limit, no future birth)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.signup.state import SESSION_KEY
from accounts.tests.signup_helpers import (
    ACCOUNT,
    ADDRESS,
    CHILD,
    SPOUSE,
    beneficiary_rows,
    ready_invitation,
    start,
    text,
)
from ceplus.tests import factories

pytestmark = pytest.mark.django_db


def open_step(client, structure=None):
    start(client, ready_invitation(**({"structure": structure} if structure else {})))
    client.post(reverse("signup_account"), ACCOUNT)
    client.post(reverse("signup_address"), ADDRESS)
    return client


@pytest.fixture
def wizard(client):
    return open_step(client)


def post(client, *rows, nav="next", **extra):
    return client.post(reverse("signup_beneficiaries"), {**beneficiary_rows(*rows, nav=nav), **extra})


def stored(client):
    return client.session[SESSION_KEY]["data"].get("beneficiaries")


def test_page_has_the_seed_title_and_no_row_at_first(wizard):
    page = wizard.get(reverse("signup_beneficiaries")).content.decode()
    assert "<title>Ajout de bénéficiaires – Étape 3 sur 4 – CE+ Services</title>" in page
    assert '<h1 class="signup-stepper__title h2">Ajout de bénéficiaires</h1>' in page
    assert "Les bénéficiaires sont les membres de votre famille." in page
    assert "Aucun bénéficiaire pour l'instant." in page
    assert ">Ajouter un bénéficiaire<" in page


def test_no_beneficiary_is_fine(wizard):
    response = post(wizard)
    assert response["Location"] == reverse("signup_validation")
    assert stored(wizard) == []


def test_two_beneficiaries_with_french_and_iso_dates(wizard):
    response = post(wizard, CHILD, SPOUSE)
    assert response.status_code == 302
    assert stored(wizard) == [
        {"relationship": "child", "last_name": "Martin", "first_name": "Léa", "birth_date": "2016-03-14"},
        {"relationship": "spouse", "last_name": "Martin", "first_name": "Paul", "birth_date": "1985-06-01"},
    ]


def test_rows_left_empty_are_ignored(wizard):
    empty = {"relationship": "", "last_name": "", "first_name": "", "birth_date": ""}
    post(wizard, empty, CHILD, empty)
    assert len(stored(wizard)) == 1


def test_half_filled_row_says_what_is_missing(wizard):
    response = post(wizard, {"relationship": "child", "last_name": "", "first_name": "Léa", "birth_date": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bénéficiaire 1 : Saisissez le nom du bénéficiaire." in page
    assert "Saisissez la date de naissance, par exemple 14 03 2016." in page
    assert "<title>Erreur : Ajout de bénéficiaires" in page


def test_fields_are_not_autofilled_from_the_persons_own_data(wizard):
    post(wizard, CHILD, nav="add")
    html = wizard.get(reverse("signup_beneficiaries")).content.decode()
    assert 'name="beneficiaires-0-first_name"' in html
    assert html.count('autocomplete="off"') >= 4


def test_add_button_adds_a_row_and_keeps_what_was_typed(wizard):
    response = post(wizard, CHILD, nav="add")
    assert response.status_code == 302
    assert response["Location"].endswith("#beneficiaire-2")
    page = wizard.get(reverse("signup_beneficiaries")).content.decode()
    assert 'value="Léa"' in page
    assert 'name="beneficiaires-0-birth_date_jour" value="14"' in page
    assert 'name="beneficiaires-0-birth_date_annee" value="2016"' in page
    assert 'name="beneficiaires-1-first_name"' in page
    assert 'name="beneficiaires-2-first_name"' not in page


def test_remove_button_removes_that_row(wizard):
    post(wizard, CHILD, SPOUSE, remove="0")
    page = wizard.get(reverse("signup_beneficiaries")).content.decode()
    assert 'value="Paul"' in page
    assert 'value="Léa"' not in page
    assert "Le bénéficiaire a été retiré." in page


def test_remove_with_a_tampered_index_changes_nothing(wizard):
    for value in ("7", "-1", "abc", ""):
        post(wizard, CHILD, remove=value)
        assert 'value="Léa"' in wizard.get(reverse("signup_beneficiaries")).content.decode()


def test_at_most_one_partner(wizard):
    conjoint = {**SPOUSE, "relationship": "pacs", "first_name": "Alex"}
    response = post(wizard, SPOUSE, conjoint)
    assert "Vous ne pouvez déclarer qu'un seul conjoint, époux ou partenaire." in text(response)
    assert stored(wizard) is None


def test_birth_date_in_the_future_is_refused(wizard):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    response = post(wizard, {**CHILD, "birth_date": tomorrow})
    assert "La date de naissance doit être dans le passé." in response.content.decode()


@pytest.mark.parametrize("typed", ["31/02/2016", "2016-13-01", "hier", "14/03/1850"])
def test_impossible_dates_are_refused_in_french(wizard, typed):
    response = post(wizard, {**CHILD, "birth_date": typed})
    assert response.status_code == 200
    page = text(response)
    assert (
        "Cette date n'existe pas" in page
        or "Saisissez la date de naissance en chiffres" in page
        or "Vérifiez l'année de naissance" in page
    )


def test_child_over_the_structures_age_limit_is_refused(client):
    structure = factories.StructureFactory(name="CSE Limite", child_age_limit=20)
    open_step(client, structure)
    older = (timezone.localdate() - datetime.timedelta(days=365 * 21)).isoformat()
    response = post(client, {**CHILD, "birth_date": older})
    assert "CSE Limite accepte les enfants de moins de 20 ans." in response.content.decode()


def test_only_the_links_the_structure_accepts_are_offered(client):
    structure = factories.StructureFactory(allowed_beneficiary_kinds=["child"])
    open_step(client, structure)
    page = client.get(reverse("signup_beneficiaries")).content.decode()
    assert 'value="child"' in page
    assert 'value="spouse"' not in page
    response = post(client, SPOUSE)
    assert "Choisissez un lien dans la liste." in response.content.decode()


def test_structure_accepting_no_beneficiary_says_so(client):
    open_step(client, factories.StructureFactory(name="CSE Sans", allowed_beneficiary_kinds=[]))
    page = client.get(reverse("signup_beneficiaries")).content.decode()
    assert "CSE Sans ne propose pas de déclarer des bénéficiaires." in page
    assert ">Ajouter un bénéficiaire<" not in page


def test_structure_name_with_percent_sign_does_not_break_messages(client):
    open_step(
        client, factories.StructureFactory(name="CSE 100% Textiles", allowed_beneficiary_kinds=["child"])
    )
    response = post(client, {**SPOUSE, "relationship": "child", "birth_date": "01/01/2016"}, SPOUSE)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "management",
    [
        {"beneficiaires-TOTAL_FORMS": "abc"},
        {"beneficiaires-TOTAL_FORMS": "100000"},
        {"beneficiaires-TOTAL_FORMS": "-3"},
        {"beneficiaires-INITIAL_FORMS": "50"},
    ],
)
def test_tampered_management_form_never_fails(wizard, management):
    data = {**beneficiary_rows(CHILD), **management}
    response = wizard.post(reverse("signup_beneficiaries"), data)
    assert response.status_code in (200, 302)


def test_too_many_rows_are_refused(wizard):
    response = post(wizard, *[CHILD] * 16)
    assert response.status_code == 200
    assert stored(wizard) is None


def test_missing_management_form_gets_a_french_message(wizard):
    response = wizard.post(reverse("signup_beneficiaries"), {"nav": "next"})
    assert response.status_code == 200
    assert "ManagementForm" not in response.content.decode() or "manquantes" in response.content.decode()
