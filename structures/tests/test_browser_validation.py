"""Browser journey (Chromium, desktop): a structure's manager logs into the admin, finds the
pending registration in the queue, approves it from the member's page; the member then logs
in at CONNEXION and reaches the espace adhérent."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from ceplus.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_approves_a_registration_and_the_member_logs_in(page, axe_check, admin_sign_in):
    structure = factories.StructureFactory(name="CSE Textiles de Sausheim")
    other = factories.StructureFactory(name="Boulangeries Alsaciennes SA")
    factories.ManagerFactory(
        email="gestion@textiles.example", first_name="Sophie", last_name="Roth", structures=[structure]
    )
    factories.PendingMemberFactory(
        structure=structure, email="marie.martin@example.org", first_name="Marie", last_name="Martin"
    )
    factories.PendingMemberFactory(structure=other, first_name="Paul", last_name="Klein")
    mail.outbox = []
    page.set_viewport_size({"width": 1280, "height": 900})

    # The member cannot log in yet.
    page.goto("/compte/login/")
    page.get_by_label("Email").fill("marie.martin@example.org")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="CONNEXION").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Mon espace")
    assert "/espace/" not in page.url
    page.context.clear_cookies()

    # The manager logs into the admin: its home says one registration waits.
    admin_sign_in(page, "gestion@textiles.example", axe_check=axe_check)
    queue_link = page.get_by_role("link", name="1 inscription attend votre validation")
    expect(queue_link).to_be_visible()
    axe_check(page)
    queue_link.click()

    # The queue: Marie, not the other structure's Paul.
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscriptions à valider")
    expect(page.get_by_role("link", name="En attente de validation (1)")).to_be_visible()
    expect(page.get_by_text("Klein")).to_have_count(0)
    axe_check(page)
    page.get_by_role("link", name="Martin Marie").click()

    # The member's page: approve.
    expect(page.get_by_text("Statut actuel : En attente de validation")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Valider et passer à la suivante").click()
    # The last one waiting: back to the queue, which says so.
    expect(page.get_by_text("Inscription de Marie Martin validée.")).to_be_visible()
    expect(page.get_by_text("C'était la dernière inscription en attente de cette liste.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscriptions à valider")
    assert [message.to for message in mail.outbox] == [["marie.martin@example.org"]]
    assert "/compte/login/" in mail.outbox[0].body

    # The member logs in and reaches the espace adhérent.
    page.context.clear_cookies()
    page.goto("/compte/login/")
    page.get_by_label("Email").fill("marie.martin@example.org")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="CONNEXION").click()
    expect(page.get_by_role("button", name="Déconnexion")).to_be_visible()
    page.goto("/espace/")
    assert "/compte/login/" not in page.url
    expect(page.get_by_text("Marie").first).to_be_visible()


def test_a_manager_copies_the_shared_link_and_invites_by_email(page, axe_check, admin_sign_in):
    structure = factories.StructureFactory(name="CSE Textiles de Sausheim")
    factories.ManagerFactory(email="gestion@textiles.example", structures=[structure])
    mail.outbox = []
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    admin_sign_in(page, "gestion@textiles.example", axe_check=axe_check)
    page.get_by_role("link", name="lien d'inscription et invitations").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations de CSE Textiles de Sausheim")
    page.get_by_role("button", name="Créer un lien d'inscription").click()
    link = page.get_by_role("textbox", name="Lien d'inscription").input_value()
    assert "/inscription/" in link
    axe_check(page)
    page.get_by_role("button", name="Copier le lien").click()
    expect(page.get_by_role("status").filter(has_text="Lien copié.")).to_be_visible()

    page.get_by_label("Adresses email").fill("anne@example.org\npas-une-adresse\nanne@example.org")
    page.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.get_by_text("1 invitation envoyée.")).to_be_visible()
    expect(page.get_by_text("liste collée ligne 2 « pas-une-adresse »")).to_be_visible()
    assert [message.to for message in mail.outbox] == [["anne@example.org"]]
