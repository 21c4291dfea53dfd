"""Browser journey in Chromium on a phone: a forgotten name and a wrong date of birth corrected
from the error summary (whose links show the question, not only its input), dates typed whole in
"Jour", then a "Modifier" from VALIDATION that comes back to it; axe-core clean on every page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.signup_helpers import PASSWORD, ready_invitation
from ceplus.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(name: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(name)}( \*)?$")


def test_a_wrong_date_corrected_and_a_modifier_round_trip(page, axe_check):
    structure = factories.StructureFactory(name="CSE Textiles")
    invitation = ready_invitation(structure=structure)
    # Scrolling is then instant (Bootstrap's smooth scrolling is off): where a link lands is
    # where the page rests.
    page.emulate_media(reduced_motion="reduce")
    page.goto(invitation.get_absolute_url())
    axe_check(page)
    page.get_by_role("link", name="Commencer mon inscription").click()

    # Step 1, the name forgotten: the summary's link shows the question, its label on screen.
    axe_check(page)
    page.get_by_label(label("Prénom")).fill("Marie")
    page.get_by_role("button", name="Suivant").click()
    page.locator("[data-error-summary]").get_by_role("link", name="Saisissez votre nom.").click()
    expect(page.get_by_label(label("Nom"))).to_be_focused()
    expect(page.locator("label[for=id_last_name]")).to_be_in_viewport(ratio=1)
    page.get_by_label(label("Nom")).fill("Martin")
    page.get_by_label(label("Fonction")).fill("Comptable")
    page.get_by_label(label("Email")).fill("marie.martin@example.org")
    page.get_by_label(label("Numéro de téléphone")).fill("06 12 34 56 78")
    page.get_by_label(label("Mot de passe")).fill(PASSWORD)
    page.get_by_label(label("Ressaisissez votre mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Suivant").click()

    # Step 2: France is chosen already.
    expect(page).to_have_title("Votre adresse de livraison – Étape 2 sur 4 – CE+ Services")
    expect(page.get_by_label(label("Pays"))).to_have_value("France")
    axe_check(page)
    page.get_by_label(label("Adresse")).fill("12 rue des Vosges")
    page.get_by_label(label("Code postal")).fill("68100")
    page.get_by_label(label("Ville")).fill("Mulhouse")
    page.get_by_role("button", name="Suivant").click()

    # Step 3: a 31 February (and two other children after it), then the error summary's link.
    expect(page).to_have_title("Ajout de bénéficiaires – Étape 3 sur 4 – CE+ Services")
    for _row in range(3):
        page.get_by_role("button", name="Ajouter un bénéficiaire").click()
    for number, first_name in ((2, "Tom"), (3, "Zoé")):
        other = page.locator(f"#beneficiaire-{number}")
        other.get_by_label(label("Lien avec vous")).select_option(label="Enfant à charge")
        other.get_by_label(label("Nom")).fill("Martin")
        other.get_by_label(label("Prénom")).fill(first_name)
        other.get_by_role("group", name=label("Date de naissance")).get_by_label("Jour", exact=True).fill(
            f"0{number}/05/2018"
        )
    row = page.locator("#beneficiaire-1")
    row.get_by_label(label("Lien avec vous")).select_option(label="Enfant à charge")
    row.get_by_label(label("Nom")).fill("Martin")
    row.get_by_label(label("Prénom")).fill("Léa")
    birth = row.get_by_role("group", name=label("Date de naissance"))
    birth.get_by_label("Jour", exact=True).fill("31")
    birth.get_by_label("Mois", exact=True).fill("02")
    birth.get_by_label("Année", exact=True).fill("2016")
    axe_check(page)
    page.get_by_role("button", name="Suivant").click()

    expect(page).to_have_title("Erreur : Ajout de bénéficiaires – Étape 3 sur 4 – CE+ Services")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Cette date n'existe pas")
    axe_check(page)
    summary.get_by_role("link", name=re.compile("Cette date n'existe pas")).click()
    birth = page.locator("#beneficiaire-1").get_by_role("group", name=label("Date de naissance"))
    day = birth.get_by_label("Jour", exact=True)
    expect(day).to_be_focused()
    # The question and its message are on screen, not scrolled away above the input.
    expect(birth.locator("legend")).to_be_in_viewport(ratio=1)
    expect(birth.locator(".field-error")).to_be_in_viewport(ratio=1)
    expect(day).to_be_in_viewport(ratio=1)
    expect(day).to_have_attribute("aria-invalid", "true")
    # A whole date pasted in Jour fills the three fields.
    day.fill("14/03/2016")
    expect(birth.get_by_label("Mois", exact=True)).to_have_value("03")
    expect(birth.get_by_label("Année", exact=True)).to_have_value("2016")
    expect(day).to_have_value("14")
    page.get_by_role("button", name="Suivant").click()

    # VALIDATION, then Modifier the address.
    expect(page).to_have_title("Validation – Étape 4 sur 4 – CE+ Services")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Léa Martin — Enfant à charge, né·e le 14/03/2016")
    expect(main).to_contain_text("Zoé Martin — Enfant à charge, né·e le 03/05/2018")
    expect(main.get_by_text("Attention !")).to_be_visible()
    axe_check(page)
    main.get_by_role("link", name="Modifier votre adresse de livraison").click()
    expect(page).to_have_title("Votre adresse de livraison – Étape 2 sur 4 – CE+ Services")
    axe_check(page)
    page.get_by_label(label("Ville")).fill("Sausheim")
    page.get_by_label(label("Code postal")).fill("68390")
    page.get_by_role("button", name="Suivant").click()

    # Straight back to VALIDATION, with the change.
    expect(page).to_have_title("Validation – Étape 4 sur 4 – CE+ Services")
    expect(page.get_by_role("main")).to_contain_text("68390 Sausheim")
    expect(page.get_by_role("main")).to_contain_text("Léa Martin")
    page.get_by_label("OUI, j'accepte les conditions générales d'utilisation (CGU)").check()
    page.get_by_label("OUI, j'accepte les conditions générales de vente (CGV)").check()
    page.get_by_label("OUI, j'accepte le règlement de CE+ Services").check()
    page.get_by_role("button", name="Envoyer ma demande").click()

    expect(page).to_have_title("Demande envoyée – CE+ Services")
    axe_check(page)
    member = User.objects.get(email="marie.martin@example.org")
    assert member.address.city == "Sausheim"
    assert sorted(str(b.birth_date) for b in member.beneficiaries.all()) == [
        "2016-03-14",
        "2018-05-02",
        "2018-05-03",
    ]
