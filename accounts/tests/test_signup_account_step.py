"""Step 1, CRÉEZ VOTRE COMPTE: each field's rule, French messages at the field and in the
summary, phone numbers as people type them, the job title without JavaScript."""

import pytest
from django.urls import reverse

from accounts.models import JobTitle
from accounts.signup.state import SESSION_KEY
from accounts.tests.signup_helpers import ACCOUNT, ready_invitation, start
from ceplus.tests import factories
from structures.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def wizard(client):
    start(client, ready_invitation())
    return client


def post(client, **changes):
    return client.post(reverse("signup_account"), {**ACCOUNT, **changes})


def stored(client) -> dict:
    return client.session[SESSION_KEY]["data"]["account"]


def test_page_has_the_seed_title_labels_and_browser_hints(wizard):
    response = wizard.get(reverse("signup_account"))
    page = response.content.decode()
    assert "<title>Créez votre compte – Étape 1 sur 4 – CE+ Services</title>" in page
    assert '<h1 class="signup-stepper__title h2">Créez votre compte</h1>' in page
    assert "Votre entreprise / CSE devra valider votre inscription." in page
    assert "Étape 1 sur 4" in page
    assert 'aria-current="step"' in page
    assert "Étape suivante :</span> Votre adresse de livraison" in page
    assert "Les champs marqués d'un * sont obligatoires." in page
    for label in ("Nom", "Prénom", "Fonction", "Email", "Numéro de téléphone", "Mot de passe"):
        assert f">{label}<span" in page
    assert ">Ressaisissez votre mot de passe<span" in page
    assert "Vous pouvez rechercher par mot clé" in page
    assert "8 caractères minimum" in page
    for hint in ("family-name", "given-name", "organization-title", "email", "tel", "new-password"):
        assert f'autocomplete="{hint}"' in page
    assert 'type="tel"' in page
    assert 'type="email"' in page
    assert 'type="password"' in page
    assert "Courriel" not in page
    assert ">Suivant<" in page
    assert ">Précédent<" in page


def test_valid_step_goes_to_step_2_and_keeps_clean_data(wizard):
    response = post(wizard)
    assert response.status_code == 302
    assert response["Location"] == reverse("signup_address")
    assert stored(wizard) == {
        "last_name": "Martin",
        "first_name": "Marie",
        "job_title": "Comptable",
        "job_title_id": JobTitle.objects.get(name="Comptable").pk,
        "job_title_other": "",
        "email": "marie.martin@example.org",
        "phone": "+33612345678",
    }


def test_missing_fields_are_summarised_and_shown_at_each_field(wizard):
    response = wizard.post(reverse("signup_account"), {"nav": "next"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Erreur : Créez votre compte – Étape 1 sur 4 – CE+ Services</title>" in page
    assert "Il y a un problème" in page
    for message in (
        "Saisissez votre nom.",
        "Saisissez votre prénom.",
        "Saisissez votre fonction",
        "Saisissez votre adresse email.",
        "Saisissez un numéro de téléphone, par exemple 06 12 34 56 78",
        "Choisissez un mot de passe de 8 caractères minimum.",
    ):
        assert page.count(message) == 2, message  # in the summary and at the field
    assert 'href="#id_last_name"' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_last_name_error"' in page


@pytest.mark.parametrize(
    "typed",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+33 6 12 34 56 78",
        "0033612345678",
        "0612345678",
    ],
)
def test_phone_is_accepted_as_typed_and_stored_e164(wizard, typed):
    assert post(wizard, phone=typed).status_code == 302
    assert stored(wizard)["phone"] == "+33612345678"


def test_foreign_phone_is_accepted(wizard):
    assert post(wizard, phone="+44 20 7946 0958").status_code == 302
    assert stored(wizard)["phone"] == "+442079460958"


@pytest.mark.parametrize("typed", ["0612", "abc", "06 12 34 56 78 90 12", "1" * 40, "+33 0"])
def test_not_a_phone_number_is_refused_in_french(wizard, typed):
    response = post(wizard, phone=typed)
    assert response.status_code == 200
    assert "Ce numéro de téléphone n&#x27;est pas valide : saisissez par exemple 06 12 34 56 78" in (
        response.content.decode()
    )


def test_email_is_lowercased(wizard):
    post(wizard, email="Marie.MARTIN@Example.org")
    assert stored(wizard)["email"] == "marie.martin@example.org"


def test_invalid_email_is_refused_in_french(wizard):
    page = post(wizard, email="marie@").content.decode()
    assert "Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr." in page


def test_personal_invitation_fixes_the_email(client):
    invitation = ready_invitation(kind=Invitation.Kind.PERSONAL, email="invitee@example.org")
    start(client, invitation)
    page = client.get(reverse("signup_account")).content.decode()
    assert "invitee@example.org" in page
    assert 'name="email"' not in page
    post(client, email="someone.else@example.org")
    assert stored(client)["email"] == "invitee@example.org"


def test_exact_job_title_is_resolved(wizard):
    post(wizard, job_title="  COMPTABLE ")
    assert stored(wizard)["job_title"] == "Comptable"


def test_single_match_is_resolved(wizard):
    post(wizard, job_title="agent securite")
    assert stored(wizard)["job_title"] == "Agent / Agente de sécurité"


def test_ambiguous_job_title_offers_a_choice_without_javascript(wizard):
    response = post(wizard, job_title="securite")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Plusieurs fonctions correspondent à « securite » : choisissez la vôtre dans la liste." in page
    assert "Choisissez votre fonction" in page
    chosen = JobTitle.objects.get(name="Chargé / Chargée de sécurité")
    assert f'value="{chosen.pk}"' in page
    response = post(wizard, job_title="securite", job_title_choice=str(chosen.pk))
    assert response.status_code == 302
    assert stored(wizard)["job_title_id"] == chosen.pk


def test_unknown_job_title_says_what_to_do(wizard):
    page = post(wizard, job_title="astronaute lunaire").content.decode()
    assert "Aucune fonction ne correspond à « astronaute lunaire » : essayez un autre mot clé" in page


def test_withdrawn_job_title_is_not_accepted(wizard):
    JobTitle.objects.filter(name="Comptable").update(is_active=False)
    response = post(wizard, job_title="Comptable", job_title_choice="")
    assert response.status_code == 200


def test_choice_outside_the_list_is_refused(wizard):
    response = post(wizard, job_title="securite", job_title_choice="999999")
    assert "Choisissez une fonction dans la liste." in response.content.decode()


def test_staff_can_add_a_job_title_that_members_then_find(wizard):
    JobTitle.objects.create(name="Sommelier / Sommelière")
    post(wizard, job_title="sommeliere")
    assert stored(wizard)["job_title"] == "Sommelier / Sommelière"


def test_names_are_cleaned_of_control_characters_and_spaces(wizard):
    post(wizard, last_name="  Martin\x00\r\nDupont ", first_name="Marie\t Anne")
    assert stored(wizard)["last_name"] == "Martin Dupont"
    assert stored(wizard)["first_name"] == "Marie Anne"


def test_huge_input_gets_a_french_message(wizard):
    response = post(wizard, last_name="x" * 100_000, job_title="y" * 100_000)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Assurez-vous que cette valeur comporte au plus 150 caractères" in page
    assert SESSION_KEY in wizard.session
    assert "account" not in wizard.session[SESSION_KEY]["data"]


def test_html_in_names_is_kept_as_text_and_shown_escaped(wizard):
    post(wizard, first_name="<script>alert(1)</script>")
    assert stored(wizard)["first_name"] == "<script>alert(1)</script>"
    page = wizard.get(reverse("signup_account")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_other_structure_does_not_leak_into_the_page(wizard):
    factories.StructureFactory(name="Une autre structure")
    assert "Une autre structure" not in wizard.get(reverse("signup_account")).content.decode()
