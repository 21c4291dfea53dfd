"""Browser journey (Chromium, a phone): a member follows the yearly update's banner from her
home, checks her family and confirms it; then her manager lists who is entitled at Christmas.
axe-core checks each page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from beneficiaries.models import Campaign, FamilyConfirmation
from ceplus.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_confirms_her_family_from_the_banner(page, axe_check, admin_sign_in):
    structure = factories.StructureFactory(name="CSE Textiles de Sausheim", child_age_limit=21)
    member = factories.MemberFactory(
        structure=structure, email="marie.martin@example.org", first_name="Marie", last_name="Martin"
    )
    factories.BeneficiaryFactory(member=member, first_name="Léa", last_name="Martin")
    today = timezone.localdate()
    deadline = today + datetime.timedelta(days=30)
    Campaign.objects.create(
        structure=structure, starts_on=today - datetime.timedelta(days=3), deadline=deadline
    )
    factories.ManagerFactory(email="gestion@textiles.example", structures=[structure])

    page.goto("/compte/login/")
    page.get_by_label("Email").fill("marie.martin@example.org")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="CONNEXION").click()

    banner = page.get_by_role("heading", name=f"Mettez à jour vos bénéficiaires avant le {deadline:%d/%m/%Y}")
    expect(banner).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Mettre à jour mes bénéficiaires").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mettre à jour mes bénéficiaires")
    expect(page.get_by_role("heading", name="Léa Martin")).to_be_visible()
    expect(page.get_by_text("Déclaré", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Ma famille est à jour").click()

    expect(
        page.get_by_text("Merci : votre famille est à jour pour CSE Textiles de Sausheim.")
    ).to_be_visible()
    expect(page.get_by_text(f"Vous avez confirmé votre famille le {today:%d/%m/%Y}")).to_be_visible()
    axe_check(page)
    assert FamilyConfirmation.objects.filter(member=member).count() == 1
    page.goto("/espace/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace adhérent")
    expect(banner).to_have_count(0)

    # The manager: who is entitled at Christmas.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    admin_sign_in(page, "gestion@textiles.example")
    page.get_by_role("link", name="Ayants droit à une date (liste et export CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ayants droit au {today:%d/%m/%Y}")
    axe_check(page)
    page.get_by_role("link", name="Exemple : les enfants de moins de 12 ans au 25 décembre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ayants droit au 25/12/{today.year}")
    expect(page.get_by_role("cell", name="Léa")).to_be_visible()
    page.get_by_label("à (inclus, facultatif)").fill("onze")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    expect(page.get_by_role("link", name="Saisissez un âge en chiffres, par exemple 12.")).to_be_visible()
    axe_check(page)
