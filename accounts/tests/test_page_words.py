"""The words and the furniture of the pages: headings in sentence case, no page linking to itself,
the seed's ATTENTION said once where it matters, the member menu in one place on every member
page, and the admin's import page drawn as the admin draws its pages."""

import re

import pytest
from django.urls import reverse

from accounts.tests.signup_helpers import ready_invitation, start, submit, text, walk_to_validation
from ceplus.tests.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db


def entrance_links(page: str) -> list[str]:
    nav = re.search(r'<nav class="entrance-links.*?</nav>', page, re.DOTALL).group(0)
    return re.findall(r'href="([^"]+)"', nav)


def test_creer_un_compte_does_not_link_to_itself(client):
    page = text(client.get(reverse("signup_info")))
    assert "<h1>Créer un compte</h1>" in page
    assert entrance_links(page) == [reverse("home"), reverse("account_reset_password")]


def test_the_reset_page_does_not_link_to_itself(client):
    page = text(client.get(reverse("account_reset_password")))
    assert entrance_links(page) == [reverse("home"), reverse("signup_info")]
    assert 'class="btn btn-primary btn-lg w-100 text-uppercase" data-once>Réinitialiser</button>' in page


def test_the_login_page_keeps_the_three_links_and_a_sentence_case_heading(client):
    page = text(client.get(reverse("account_login")))
    assert "<h1>Connexion</h1>" in page
    assert entrance_links(page) == [
        reverse("home"),
        reverse("signup_info"),
        reverse("account_reset_password"),
    ]


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [
        ("signup_account", "Créez votre compte"),
        ("signup_address", "Votre adresse de livraison"),
        ("signup_beneficiaries", "Ajout de bénéficiaires"),
        ("signup_validation", "Validation"),
    ],
)
def test_step_headings_are_in_sentence_case(client, url_name, heading):
    walk_to_validation(client, ready_invitation())
    page = text(client.get(reverse(url_name)))
    assert f'<h1 class="signup-stepper__title h2">{heading}</h1>' in page


def test_attention_stands_just_before_envoyer_ma_demande(client):
    walk_to_validation(client, ready_invitation())
    page = text(client.get(reverse("signup_validation")))
    warning = page.index("Attention !")
    button = page.index(">Envoyer ma demande</button>")
    assert page.index("Conditions à accepter") < warning < button
    assert "la structure de laquelle vous dépendez" in page[warning:button]
    assert "alert-warning" not in page
    assert "ATTENTION" not in page


def test_the_confirmation_page_no_longer_shouts_attention(client):
    walk_to_validation(client, ready_invitation())
    page = text(client.get(submit(client)["Location"]))
    assert "Félicitations, votre demande a été envoyée" in page
    assert "ATTENTION" not in page
    assert "Attention" not in page


@pytest.mark.parametrize(
    "url_name", ["member_home", "member_profile", "member_address", "beneficiary_list", "beneficiary_add"]
)
def test_the_member_menu_is_in_the_same_place_on_every_member_page(client, url_name):
    client.force_login(MemberFactory())
    page = text(client.get(reverse(url_name)))
    column = page.index('<div class="col-lg-4 col-xl-4 offset-xl-1">')
    assert page.index('<nav class="member-menu"') > column
    assert page.count('<nav class="member-menu"') == 1


def test_the_import_page_has_the_admins_breadcrumbs_and_an_example_that_wraps(client):
    client.force_login(StaffFactory())
    page = text(client.get("/admin/import-membres/"))
    assert '<ol class="breadcrumbs">' in page
    assert '<li aria-current="page">Importer les membres de l\'ancien site</li>' in page
    assert "&rsaquo;" not in page.split('<ol class="breadcrumbs">')[1].split("</ol>")[0]
    assert "<pre>" not in page
    assert "nom;<wbr>prénom;<wbr>email" in page


def test_no_step_heading_in_capitals_is_left(client):
    start(client, ready_invitation())
    page = text(client.get(reverse("signup_account")))
    assert "CRÉEZ VOTRE COMPTE" not in page


def test_the_confirmation_page_says_an_email_comes_and_what_the_confirmation_is_for(client):
    """After ENVOYER MA DEMANDE, the page says that an email always comes, and why a second one
    may ask to confirm the address."""
    session = client.session
    session["signup_sent"] = {"structure": "CSE Textiles", "email": "marie.martin@example.org"}
    session.save()
    page = text(client.get(reverse("signup_sent")))
    assert "Un email part dans quelques minutes à l'adresse marie.martin@example.org" in page
    assert "il montre à CSE Textiles que l'adresse est bien la vôtre" in page
