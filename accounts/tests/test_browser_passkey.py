"""Browser journey (Chromium's virtual authenticator): a manager adds a security key as second
factor, then signs in with it instead of a code."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from ceplus.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_adds_a_security_key_then_signs_in_with_it(page, axe_check, admin_sign_in):
    structure = factories.StructureFactory(name="CSE Textiles de Sausheim")
    factories.ManagerFactory(email="gestion@textiles.example", structures=[structure])
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    admin_sign_in(page, "gestion@textiles.example")

    page.goto("/compte/2fa/webauthn/add/")
    if "reauthenticate" in page.url:
        page.get_by_label("Mot de passe").fill(factories.PASSWORD)
        page.get_by_role("button").filter(has_text=re.compile("Confirmer", re.I)).first.click()
    axe_check(page)
    page.get_by_role("button", name=re.compile("Ajouter", re.I)).click()
    # The key made, the page leaves the form for the list of keys.
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    assert Authenticator.objects.filter(type=Authenticator.Type.WEBAUTHN).count() == 1

    page.context.clear_cookies()
    page.goto("/admin/")
    page.get_by_label("Email").fill("gestion@textiles.example")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="CONNEXION").click()
    page.get_by_role("button", name="Utiliser une clé de sécurité").click()
    expect(page.locator("#site-name")).to_be_visible()
