"""Browser journey in Chromium on a phone: from the invitation link to the confirmation, with
two beneficiaries, one wrong field corrected and one Précédent; the job title combobox; no
horizontal scroll at 320 px; the beneficiary rows without JavaScript."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import JobTitle, User
from accounts.tests.signup_helpers import PASSWORD, ready_invitation
from ceplus.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(name: str) -> re.Pattern:
    """A field's label, with or without the asterisk of a required field."""
    return re.compile(rf"^{re.escape(name)}( \*)?$")


def fill_row(page, number: int, relationship: str, first_name: str, birth_date: str) -> None:
    """``birth_date`` as 14/03/2016: its jour, mois and année each in their field."""
    row = page.locator(f"#beneficiaire-{number}")
    row.get_by_label(label("Lien avec vous")).select_option(label=relationship)
    row.get_by_label(label("Nom")).fill("Martin")
    row.get_by_label(label("Prénom")).fill(first_name)
    birth = row.get_by_role("group", name=label("Date de naissance"))
    for part, value in zip(("Jour", "Mois", "Année"), birth_date.split("/"), strict=True):
        birth.get_by_label(part, exact=True).fill(value)


def test_signup_from_the_invitation_link_to_the_confirmation(page, axe_check):
    structure = factories.StructureFactory(name="CSE Textiles", child_age_limit=20)
    factories.ManagerFactory(email="rh@textiles.example", structures=[structure])
    invitation = ready_invitation(structure=structure)

    page.goto(invitation.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription ouvrant-droit")
    axe_check(page)
    page.get_by_role("link", name="Commencer mon inscription").click()

    # Step 1, with the phone number typed wrong.
    expect(page).to_have_title("Créez votre compte – Étape 1 sur 4 – CE+ Services")
    expect(page.get_by_role("heading", level=1)).to_have_text("Créez votre compte")
    expect(page.locator("[aria-current=step]")).to_contain_text("Créez votre compte")
    axe_check(page)
    page.get_by_label(label("Nom")).fill("Martin")
    page.get_by_label(label("Prénom")).fill("Marie")
    job_title = page.get_by_role("combobox", name="Fonction")
    job_title.press_sequentially("compta")
    page.get_by_role("option", name="Comptable", exact=True).click()
    expect(job_title).to_have_value("Comptable")
    page.get_by_label(label("Email")).fill("marie.martin@example.org")
    page.get_by_label(label("Numéro de téléphone")).fill("06 12 34")
    page.get_by_label(label("Mot de passe")).fill(PASSWORD)
    page.get_by_label(label("Ressaisissez votre mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Afficher").first.click()
    expect(page.get_by_label(label("Mot de passe"))).to_have_attribute("type", "text")
    page.get_by_role("button", name="Suivant").click()

    expect(page).to_have_title("Erreur : Créez votre compte – Étape 1 sur 4 – CE+ Services")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "Ce numéro de téléphone n'est pas valide : saisissez par exemple 06 12 34 56 78"
    )
    expect(page.get_by_label(label("Numéro de téléphone"))).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label(label("Numéro de téléphone"))).to_be_focused()
    page.get_by_label(label("Numéro de téléphone")).fill("06 12 34 56 78")
    # The password passed its checks: it is kept, hashed, and need not be typed again.
    expect(page.get_by_text("laissez vide pour le garder")).to_be_visible()
    page.get_by_role("button", name="Suivant").click()

    # Step 2.
    expect(page).to_have_title("Votre adresse de livraison – Étape 2 sur 4 – CE+ Services")
    expect(page.get_by_label(label("Pays"))).to_have_value("France")
    axe_check(page)
    page.get_by_label(label("Adresse")).fill("12 rue des Vosges")
    page.get_by_label(label("Code postal")).fill("68100")
    page.get_by_label(label("Ville")).fill("Mulhouse")
    page.get_by_role("button", name="Suivant").click()

    # Step 3: two beneficiaries added in the page, then Précédent and back.
    expect(page).to_have_title("Ajout de bénéficiaires – Étape 3 sur 4 – CE+ Services")
    add = page.get_by_role("button", name="Ajouter un bénéficiaire")
    add.click()
    expect(page.get_by_label(label("Lien avec vous"))).to_be_focused()
    add.click()
    add.click()
    expect(page.locator("[data-beneficiary-row]")).to_have_count(3)
    fill_row(page, 1, "Enfant à charge", "Léa", "14/03/2016")
    fill_row(page, 2, "Époux·se", "Paul", "01/06/1985")
    page.locator("#beneficiaire-3").get_by_role("button", name="Retirer").click()
    expect(page.locator("[data-beneficiary-row]")).to_have_count(2)
    # The pointer left over row 2's Retirer would be caught mid-way through its hover colours.
    page.mouse.move(0, 0)
    axe_check(page)
    page.get_by_role("button", name="Précédent").click()

    expect(page).to_have_title("Votre adresse de livraison – Étape 2 sur 4 – CE+ Services")
    expect(page.get_by_label(label("Ville"))).to_have_value("Mulhouse")
    page.get_by_role("button", name="Suivant").click()
    expect(page.locator("[data-beneficiary-row]")).to_have_count(2)
    expect(page.locator("#beneficiaire-2").get_by_label(label("Prénom"))).to_have_value("Paul")
    page.get_by_role("button", name="Suivant").click()

    # Step 4: check your answers, the three OUI, ENVOYER MA DEMANDE.
    expect(page).to_have_title("Validation – Étape 4 sur 4 – CE+ Services")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Comptable")
    expect(main).to_contain_text("06 12 34 56 78")
    expect(main).to_contain_text("Léa Martin — Enfant à charge, né·e le 14/03/2016")
    expect(main).to_contain_text("Paul Martin — Époux·se, né·e le 01/06/1985")
    expect(main.get_by_role("link", name="Modifier votre adresse de livraison")).to_be_visible()
    axe_check(page)
    page.get_by_label("OUI, j'accepte les conditions générales d'utilisation (CGU)").check()
    page.get_by_label("OUI, j'accepte les conditions générales de vente (CGV)").check()
    page.get_by_label("OUI, j'accepte le règlement de CE+ Services").check()
    page.get_by_role("button", name="ENVOYER MA DEMANDE").click()

    expect(page).to_have_title("Demande envoyée – CE+ Services")
    expect(page.get_by_role("heading", level=1)).to_have_text("Félicitations, votre demande a été envoyée")
    expect(page.get_by_role("main")).to_contain_text("CSE Textiles doit valider votre inscription.")
    axe_check(page)

    member = User.objects.get(email="marie.martin@example.org")
    assert member.status == User.Status.PENDING
    assert member.structure == structure
    assert sorted(member.beneficiaries.values_list("first_name", flat=True)) == ["Léa", "Paul"]
    assert {message.to[0] for message in mail.outbox} == {"marie.martin@example.org", "rh@textiles.example"}

    # The browser's back button does not resubmit anything.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/inscription/envoyee/$"))
    assert User.objects.count() == 2  # the member and the manager


def test_no_horizontal_scroll_at_320_px(page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(ready_invitation().get_absolute_url())
    page.get_by_role("link", name="Commencer mon inscription").click()
    page.get_by_role("button", name="Suivant").click()  # with every error shown
    expect(page.locator("[data-error-summary]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_beneficiary_rows_without_javascript(chromium, live_server):
    """Ajouter and Retirer are real buttons: the server adds and removes the rows."""
    context = chromium.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        java_script_enabled=False,
    )
    page = context.new_page()
    # Transactional tests empty the reference list: two titles make "securite" ambiguous.
    for name in ("Agent / Agente de sécurité", "Chargé / Chargée de sécurité"):
        JobTitle.objects.get_or_create(name=name)
    try:
        page.goto(ready_invitation().get_absolute_url())
        page.get_by_role("link", name="Commencer mon inscription").click()
        page.get_by_label(label("Nom")).fill("Martin")
        page.get_by_label(label("Prénom")).fill("Marie")
        page.get_by_label(label("Fonction")).fill("securite")
        page.get_by_label(label("Email")).fill("marie.martin@example.org")
        page.get_by_label(label("Numéro de téléphone")).fill("0612345678")
        page.get_by_label(label("Mot de passe")).fill(PASSWORD)
        page.get_by_label(label("Ressaisissez votre mot de passe")).fill(PASSWORD)
        page.get_by_role("button", name="Suivant").click()
        page.get_by_label("Agent / Agente de sécurité").check()
        page.get_by_role("button", name="Suivant").click()
        page.get_by_label(label("Adresse")).fill("12 rue des Vosges")
        page.get_by_label(label("Code postal")).fill("68100")
        page.get_by_label(label("Ville")).fill("Mulhouse")
        page.get_by_role("button", name="Suivant").click()

        page.get_by_role("button", name="Ajouter un bénéficiaire").click()
        fill_row(page, 1, "Enfant à charge", "Léa", "14/03/2016")
        page.get_by_role("button", name="Ajouter un bénéficiaire").click()
        expect(page.locator("[data-beneficiary-row]")).to_have_count(2)
        expect(page.locator("#beneficiaire-1").get_by_label(label("Prénom"))).to_have_value("Léa")
        page.locator("#beneficiaire-1").get_by_role("button", name="Retirer").click()
        expect(page.locator("[data-beneficiary-row]")).to_have_count(1)
        page.get_by_role("button", name="Suivant").click()
        expect(page).to_have_title("Validation – Étape 4 sur 4 – CE+ Services")
        expect(page.get_by_role("main")).to_contain_text("Agent / Agente de sécurité")
        expect(page.get_by_role("main")).to_contain_text("Aucun bénéficiaire.")
    finally:
        context.close()
