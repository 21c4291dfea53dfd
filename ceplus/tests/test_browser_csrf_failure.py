"""Browser journeys (Chromium, phone-sized) to the page of a form sent from a page that had
expired: CONNEXION open in two tabs, and a signup step sent after the cookies were cleared.
Each ends on our French page, clean for axe-core and the Content-Security-Policy, with the way on."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.signup_helpers import ready_invitation
from ceplus.tests.factories import PASSWORD, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="CONNEXION").click()


def test_connexion_sent_from_a_second_tab_after_logging_in_leads_to_the_member_area(page, axe_check):
    MemberFactory(email="marie@example.org")
    # given CONNEXION open in a second tab (the fixture's page), then the person logs in in the first
    page.goto(reverse("account_login"))
    first_tab = page.context.new_page()
    violations: list[str] = []
    first_tab.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    first_tab.goto(reverse("account_login"))
    log_in(first_tab, "marie@example.org")
    expect(first_tab.get_by_role("button", name="Déconnexion")).to_be_visible()

    # when the second tab's form is sent
    log_in(page, "marie@example.org")

    # then our page says what happened and leads on
    expect(page).to_have_title("Page expirée – CE+ Services")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cette page a expiré")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Recharger le formulaire")).to_have_attribute(
        "href", reverse("account_login")
    )
    axe_check(page)
    main.get_by_role("link", name="Aller à mon espace").click()
    expect(page).to_have_url(re.compile(r"/espace/"))
    assert not violations, violations


def test_a_signup_step_sent_after_the_cookies_were_cleared_says_to_start_again(page, axe_check):
    invitation = ready_invitation()
    page.goto(invitation.get_absolute_url())
    page.get_by_role("link", name="Commencer mon inscription").click()
    expect(page).to_have_title("Créez votre compte – Étape 1 sur 4 – CE+ Services")
    page.get_by_label(re.compile(r"^Nom( \*)?$")).fill("Martin")

    page.context.clear_cookies()
    page.get_by_role("button", name="Suivant").click()

    expect(page).to_have_title("Page expirée – CE+ Services")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cette page a expiré")
    expect(
        page.get_by_text("Votre session a expiré : recommencez avec le lien d'inscription reçu par email.")
    ).to_be_visible()
    axe_check(page)
    page.get_by_role("main").get_by_role("link", name="Recommencer mon inscription").click()
    expect(page).to_have_url(reverse("signup_info"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("créer un compte", re.IGNORECASE))
