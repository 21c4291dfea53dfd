"""Browser journey (Chromium, phone-sized): CONNEXION → J'ai oublié mon mot de passe → the email
→ a too-short password refused → a good one → login."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from ceplus.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Une phrase facile à retenir 42"


def test_forgotten_password_journey(page, axe_check):
    factories.MemberFactory(email="marie.martin@example.org", first_name="Marie")
    mail.outbox = []

    page.goto("/compte/login/")
    expect(page).to_have_title("Connexion – CE+ Services")
    expect(page.get_by_text("Première connexion sur le nouveau site ?")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="J'AI OUBLIÉ MON MOT DE PASSE").click()

    expect(page).to_have_title("J'ai oublié mon mot de passe – CE+ Services")
    expect(page.get_by_role("heading", level=1)).to_have_text("Réinitialiser votre mot de passe")
    axe_check(page)
    page.get_by_label("Email").fill("Marie.Martin@example.org")
    page.get_by_role("button", name="RÉINITIALISER").click()

    expect(page).to_have_title("Consultez vos emails – CE+ Services")
    expect(page.get_by_text("Si un compte existe avec cette adresse")).to_be_visible()
    axe_check(page)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marie.martin@example.org"]
    link = re.search(r"https?://\S+/compte/password/reset/key/\S+/", message.body).group(0)

    page.goto(link)
    # The key left the address bar: the page lives at …/set-password/.
    expect(page).to_have_url(re.compile(r"/compte/password/reset/key/\w+-set-password/$"))
    expect(page).to_have_title("Réinitialiser votre mot de passe – CE+ Services")
    axe_check(page)
    new_password = page.get_by_label("Nouveau mot de passe")
    new_password.fill("Court12")
    page.get_by_label("Ressaisissez votre mot de passe").fill("Court12")
    page.get_by_role("button", name="RÉINITIALISER").click()

    expect(page).to_have_title("Erreur : Réinitialiser votre mot de passe – CE+ Services")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Il y a un problème")
    expect(summary).to_contain_text("au minimum 8 caractères")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Nouveau mot de passe")).to_have_attribute("aria-invalid", "true")
    axe_check(page)

    page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    toggle = page.get_by_role("button", name="Afficher le mot de passe").first
    toggle.click()
    expect(page.get_by_label("Nouveau mot de passe")).to_have_attribute("type", "text")
    page.get_by_label("Ressaisissez votre mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="RÉINITIALISER").click()

    expect(page).to_have_title("Mot de passe modifié – CE+ Services")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre mot de passe a été modifié")
    axe_check(page)
    assert [m.subject for m in mail.outbox][-1] == "Votre mot de passe a été modifié – CE+ Services"
    page.get_by_role("main").get_by_role("link", name="CONNEXION").click()

    expect(page).to_have_url("/compte/login/")
    page.get_by_label("Email").fill("marie.martin@example.org")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="CONNEXION").click()
    expect(page.get_by_role("button", name="Déconnexion")).to_be_visible()
    assert "/compte/login/" not in page.url


def test_the_page_fits_a_narrow_phone(page):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/compte/login/", "/compte/password/reset/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
