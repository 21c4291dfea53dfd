"""Browser journey (Chromium): a new manager signs in, is taken to set up a second factor, adds
an authenticator app from the secret shown as text, and reaches the queue; axe-core on each
page."""

import re

import pytest
from playwright.sync_api import expect

from ceplus.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_up_an_authenticator_app_then_reaches_the_queue(page, axe_check):
    structure = factories.StructureFactory(name="CSE Textiles de Sausheim")
    factories.ManagerFactory(email="gestion@textiles.example", structures=[structure], second_factor=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/admin/structures/member/")
    page.get_by_label("Email").fill("gestion@textiles.example")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="CONNEXION").click()

    # Before anything else: a second factor.
    expect(page.get_by_text("protégez-le par une deuxième étape de connexion")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Activer").click()
    # allauth confirms the password before any change of factor.
    if "reauthenticate" in page.url:
        axe_check(page)
        page.get_by_label("Mot de passe").fill(factories.PASSWORD)
        page.get_by_role("button").filter(has_text=re.compile("Confirmer", re.I)).first.click()
    axe_check(page)
    secret = page.locator("input[name=secret], #authenticator_secret, code").first
    text = secret.input_value() if secret.evaluate("(el) => el.tagName") == "INPUT" else secret.inner_text()
    secret_text = re.sub(r"\s", "", text)
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret_text), text
    page.get_by_label(re.compile("code", re.I)).first.fill(factories.totp_code(secret_text))
    page.get_by_role("button").filter(has_text=re.compile("Activer", re.I)).first.click()

    # The recovery codes come with it; then the queue opens.
    axe_check(page)
    page.goto("/admin/structures/member/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscriptions à valider")
    axe_check(page)

    # "Mes appareils": this browser, in French, accessible.
    page.goto("/compte/sessions/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)
    assert "Chrome" in page.content() or "HeadlessChrome" in page.content()
