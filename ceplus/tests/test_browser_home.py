"""Browser journey: the home page leads to CONNEXION."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_leads_to_connexion(page):
    page.goto("/")
    expect(page).to_have_title("Accueil – CE+ Services")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CE+ Services")
    page.get_by_role("main").get_by_role("link", name="CONNEXION").click()
    expect(page).to_have_url("/compte/login/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_label("Email")).to_be_visible()
