"""Step 1 says everything to correct at once and in words that help: both password problems in
one round, a phone number typed wrong told apart from one missing, and a fonction the list does
not have kept as typed ("Autre") up to the manager's screens."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import ACCOUNT, ready_invitation, start, submit, text, walk_to_validation
from ceplus.tests import factories

pytestmark = pytest.mark.django_db

TYPED = "Responsable de la mutuelle"


@pytest.fixture
def wizard(client):
    start(client, ready_invitation())
    return client


def post(client, **changes):
    return client.post(reverse("signup_account"), {**ACCOUNT, **changes})


def test_a_short_password_and_a_different_confirmation_are_both_said_at_once(wizard):
    response = post(wizard, password1="Kx7#qpL", password2="autre chose")
    assert response.status_code == 200
    page = text(response)
    assert page.count("Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères.") == 2
    assert page.count("Les deux mots de passe ne sont pas identiques") == 2


def test_a_good_password_not_confirmed_is_not_kept(wizard):
    response = post(wizard, password2="Une autre phrase de passe")
    assert "Les deux mots de passe ne sont pas identiques" in text(response)
    assert "laissez vide pour le garder" not in text(response)


def test_a_phone_typed_wrong_says_it_is_not_valid(wizard):
    page = text(post(wizard, phone="06 12 34"))
    assert page.count("Ce numéro de téléphone n'est pas valide : saisissez par exemple 06 12 34 56 78") == 2
    assert "Saisissez un numéro de téléphone" not in page


def test_a_missing_phone_asks_for_one(wizard):
    page = text(post(wizard, phone=""))
    assert page.count("Saisissez un numéro de téléphone, par exemple 06 12 34 56 78") == 2
    assert "n'est pas valide" not in page


def test_a_fonction_not_in_the_list_offers_autre_and_keeps_the_text(wizard):
    page = text(post(wizard, job_title=TYPED))
    assert "ou cochez « Autre » si votre fonction n'est pas dans la liste" in page
    assert "Autre : ma fonction n'est pas dans la liste" in page
    assert 'type="checkbox" name="job_title_choice" value="autre"' in page
    assert f'value="{TYPED}"' in page


def test_autre_is_also_offered_beside_several_matches(wizard):
    page = text(post(wizard, job_title="securite"))
    assert "Plusieurs fonctions correspondent" in page
    assert 'type="radio" name="job_title_choice" value="autre"' in page


def test_autre_keeps_the_fonction_as_typed(wizard):
    response = post(wizard, job_title=TYPED, job_title_choice="autre")
    assert response["Location"] == reverse("signup_address")
    account = wizard.session["signup_wizard"]["data"]["account"]
    assert (account["job_title_id"], account["job_title_other"]) == (None, TYPED)
    page = text(wizard.get(reverse("signup_account")))
    assert f'value="{TYPED}"' in page
    assert (
        'value="autre" id="id_job_title_choice_autre" aria-describedby="id_job_title_choice_autre_hint" checked'
        in page
    )


def test_a_title_of_the_list_wins_over_autre(wizard):
    post(wizard, job_title="comptable", job_title_choice="autre")
    account = wizard.session["signup_wizard"]["data"]["account"]
    assert account["job_title"] == "Comptable"
    assert account["job_title_other"] == ""


def test_autre_is_registered_and_shown_to_the_manager(client):
    # given a registration whose fonction is not in the list
    invitation = ready_invitation()
    walk_to_validation(
        client, invitation, account={**ACCOUNT, "job_title": TYPED, "job_title_choice": "autre"}
    )
    assert f"Autre : {TYPED}" in text(client.get(reverse("signup_validation")))
    submit(client)
    member = User.objects.get(email=ACCOUNT["email"])
    assert (member.job_title, member.job_title_other) == (None, TYPED)

    # when the structure's manager looks at the queue, the member's page and the export
    manager = factories.ManagerFactory(structures=[invitation.structure])
    client.force_login(manager)
    queue = text(client.get("/admin/structures/member/"))
    change = text(client.get(f"/admin/structures/member/{member.pk}/change/"))
    identity = text(client.get(f"/admin/structures/member/{member.pk}/change/?identite=1"))
    export = b"".join(client.get("/admin/structures/member/export/").streaming_content).decode("utf-8-sig")

    # then each shows the fonction as typed
    assert f"Autre : {TYPED}" in queue
    assert TYPED in change
    assert f'value="{TYPED}"' in identity
    rows = list(csv.reader(io.StringIO(export), delimiter=";"))
    assert dict(zip(rows[0], rows[1], strict=True))["Fonction"] == f"Autre : {TYPED}"
