"""Browser journeys in the espace adhérent (Chromium, phone-sized): log in, add a child, change
the delivery address, download the data and find both in it; every page passes axe-core, fits
a 320 px screen, and works with the keyboard alone and without JavaScript."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Consent, JobTitle
from ceplus.tests.factories import (
    PASSWORD,
    AddressFactory,
    MemberFactory,
    StructureFactory,
    publish_consent_documents,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "member_home",
    "member_profile",
    "account_email",
    "member_address",
    "beneficiary_list",
    "beneficiary_add",
    "member_consents",
    "member_data",
    "member_data_erase",
]


@pytest.fixture
def member():
    documents = publish_consent_documents()
    member = MemberFactory(
        email="marie@example.org",
        first_name="Marie",
        last_name="Martin",
        structure=StructureFactory(name="CSE Textiles", child_age_limit=20),
    )
    for document in documents.values():
        Consent.objects.create(user=member, document=document)
    AddressFactory(user=member)
    return member


def log_in(page, email: str = "marie@example.org") -> None:
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="CONNEXION").click()
    expect(page.get_by_role("link", name="Mon espace", exact=True)).to_be_visible()


def assert_fits(page, width: int = 320) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll} px wide)"


def test_add_a_child_change_the_address_and_find_both_in_the_download(
    page, member, axe_check, tmp_path: Path
):
    log_in(page)
    page.get_by_role("link", name="Mon espace", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace adhérent")
    expect(page.get_by_text("CSE Textiles").first).to_be_visible()
    axe_check(page)

    # add a child
    page.get_by_role("main").get_by_role("link", name="Ajoutez vos bénéficiaires").click()
    expect(page).to_have_title("Ajouter un bénéficiaire – Mon espace adhérent – CE+ Services")
    axe_check(page)
    page.get_by_label("Lien avec vous").select_option("child")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Martin")
    page.get_by_label("Prénom").fill("Léa")
    birth = page.get_by_role("group", name="Date de naissance")
    birth.get_by_label("Jour", exact=True).fill("14")
    birth.get_by_label("Mois", exact=True).fill("03")
    birth.get_by_label("Année", exact=True).fill("2016")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_title("Mes bénéficiaires – Mon espace adhérent – CE+ Services")
    expect(page.get_by_role("heading", name="Léa Martin")).to_be_visible()
    axe_check(page)

    # change the address, after a mistake
    page.get_by_role("navigation", name="Mon espace adhérent").get_by_role(
        "link", name="Mon adresse de livraison"
    ).click()
    page.get_by_role("textbox", name="Adresse", exact=True).fill("3 rue du Rhin")
    page.get_by_label("Code postal").fill("683")
    page.get_by_label("Ville").fill("Sausheim")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_title("Erreur : Mon adresse de livraison – Mon espace adhérent – CE+ Services")
    expect(page.get_by_role("alert")).to_contain_text("Il y a un problème")
    expect(page.get_by_label("Code postal")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    page.get_by_label("Code postal").fill("68390")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Votre adresse de livraison est enregistrée.")).to_be_visible()

    # download the data
    page.get_by_role("navigation", name="Mon espace adhérent").get_by_role(
        "link", name="Mes données personnelles"
    ).click()
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("main").get_by_role("link", name="Télécharger mes données").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    target = tmp_path / "donnees.json"
    download.save_as(target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [(b["prenom"], b["date_de_naissance"]) for b in data["beneficiaires"]] == [("Léa", "2016-03-14")]
    assert data["adresse_de_livraison"]["adresse"] == "3 rue du Rhin"
    assert data["adresse_de_livraison"]["code_postal"] == "68390"


def test_every_page_is_accessible_and_fits_a_small_phone(page, member, axe_check):
    log_in(page)
    for name in PAGES:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(reverse(name))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe_check(page)
        assert_fits(page)


def test_a_child_is_added_with_the_keyboard_alone(page, member):
    log_in(page)
    page.goto(reverse("beneficiary_add"))
    page.get_by_label("Lien avec vous").focus()
    page.keyboard.type("Enf")  # type-ahead picks "Enfant à charge"
    expect(page.get_by_label("Lien avec vous")).to_have_value("child")
    page.keyboard.press("Tab")
    page.keyboard.type("Martin")
    page.keyboard.press("Tab")
    page.keyboard.type("Tom")
    for part in ("14", "03", "2016"):  # jour, mois, année
        page.keyboard.press("Tab")
        page.keyboard.type(part)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Tom Martin")).to_be_visible()
    # the removal, too: Tab to its link, Enter, then Enter on the confirmation button
    page.get_by_role("link", name="Supprimer Tom Martin").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Oui, supprimer").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Tom ne fait plus partie de vos bénéficiaires.")).to_be_visible()


@pytest.fixture
def page_without_js(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        java_script_enabled=False,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_area_works_without_javascript(page_without_js, member):
    # Transactional tests empty the tables the data migration filled: bring back what is used.
    for name in ("Infirmier / Infirmière", "Infirmier / Infirmière puériculteur"):
        JobTitle.objects.get_or_create(name=name)
    page = page_without_js
    log_in(page)
    # the fonction, by keyword, then picked from the list the server offers
    page.goto(reverse("member_profile"))
    page.get_by_label("Fonction").fill("infirmier")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Plusieurs fonctions correspondent")
    page.get_by_label("Infirmier / Infirmière puériculteur").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()
    expect(page.get_by_label("Fonction")).to_have_value("Infirmier / Infirmière puériculteur")
    # a beneficiary, with the date typed the French way
    page.goto(reverse("beneficiary_add"))
    page.get_by_label("Lien avec vous").select_option("child")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Martin")
    page.get_by_label("Prénom").fill("Léa")
    # the whole date in "Jour": the server reads it without JavaScript
    page.get_by_role("group", name="Date de naissance").get_by_label("Jour", exact=True).fill("14/03/2016")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Léa Martin")).to_be_visible()
