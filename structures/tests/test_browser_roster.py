"""Browser journey (Chromium, 1366×900 with the admin's sidebar open): a manager uploads her
structure's staff list, sees a new registration marked "Sur la liste du personnel" in the queue,
validates it from its page and lands on the next one; the queue fits the screen without cutting a
column; axe-core is clean on every page she reaches."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ceplus.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROSTER = (
    "nom;prénom;email;matricule;date d'entrée;date de sortie\r\n"
    "Lefèvre;Anaïs;anais.lefevre@example.org;A001;01/09/2019;\r\n"
    "Durand;Alix;alix.durand@cse-textiles.example;A002;15/01/2024;\r\n"
    "Mauvaise;Ligne;pas-une-adresse;A003;;\r\n"
).encode("utf-8-sig")


def queue_fits(page) -> dict:
    """Whether the queue's table fits its box, and the columns whose right edge is cut."""
    return page.evaluate(
        """() => {
            const box = document.querySelector('#changelist .results');
            const table = document.querySelector('#result_list');
            const right = box.getBoundingClientRect().right;
            const cut = [...table.querySelectorAll('thead th')]
                .filter((th) => th.getBoundingClientRect().right > right + 1)
                .map((th) => th.textContent.trim());
            return {
                table: table.scrollWidth, box: box.clientWidth, cut,
                page: document.documentElement.scrollWidth, viewport: window.innerWidth,
            };
        }"""
    )


def test_a_manager_uploads_the_staff_list_and_validates_from_it(page, axe_check, admin_sign_in):
    structure = factories.StructureFactory(name="CSE Textiles de Sausheim")
    factories.ManagerFactory(
        email="gestion@textiles.example", first_name="Sophie", last_name="Roth", structures=[structure]
    )
    now = timezone.now()
    factories.PendingMemberFactory(
        structure=structure,
        email="anais.lefevre@example.org",
        first_name="Anaïs",
        last_name="Lefèvre",
        date_joined=now - datetime.timedelta(days=3),
    )
    factories.PendingMemberFactory(
        structure=structure,
        email="alix.durand@gmail.example",
        first_name="Alix",
        last_name="Durand",
        date_joined=now - datetime.timedelta(days=1),
    )
    page.set_viewport_size({"width": 1366, "height": 900})

    admin_sign_in(page, "gestion@textiles.example", axe_check=axe_check)
    expect(page.get_by_role("heading", name="CSE Textiles de Sausheim")).to_be_visible()

    # The structure's page, then its staff list.
    page.goto(f"/admin/structures/structure/{structure.pk}/change/")
    axe_check(page)
    page.get_by_role("link", name="Liste du personnel").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Liste du personnel de CSE Textiles de Sausheim"
    )
    axe_check(page)
    page.get_by_label("Fichier CSV de la liste du personnel").set_input_files(
        {"name": "personnel.csv", "mimeType": "text/csv", "buffer": ROSTER}
    )
    page.get_by_role("button", name="Importer la liste").click()
    expect(page.get_by_role("heading", name="La liste du personnel est importée")).to_be_visible()
    expect(page.get_by_text("2 ajoutées")).to_be_visible()
    expect(page.get_by_text("ligne 4 :")).to_be_visible()
    axe_check(page)

    # The queue: both registrations, their badges, every column in the box.
    page.goto("/admin/structures/member/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscriptions à valider")
    first = page.locator("#result_list tbody tr").first
    expect(first).to_contain_text("Lefèvre Anaïs")
    expect(first.get_by_text("Sur la liste du personnel")).to_be_visible()
    expect(page.locator("#result_list").get_by_text("Nom sur la liste, email différent")).to_be_visible()
    sizes = queue_fits(page)
    assert sizes["cut"] == [], sizes
    assert sizes["table"] <= sizes["box"], sizes
    assert sizes["page"] <= sizes["viewport"], sizes
    axe_check(page)

    # The filter on the list keeps only her.
    page.get_by_role("link", name="Sur la liste du personnel").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    axe_check(page)

    # From the whole queue, her page: validate and go on to the next one, Alix.
    page.goto("/admin/structures/member/")
    page.get_by_role("link", name="Lefèvre Anaïs").click()
    expect(page.get_by_text("Statut actuel : En attente de validation")).to_be_visible()
    expect(page.locator(".decision-facts").get_by_text("Sur la liste du personnel")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Valider et passer à la suivante").click()
    expect(page.get_by_text("Inscription de Anaïs Lefèvre validée.")).to_be_visible()
    expect(
        page.get_by_text("Encore 1 inscription en attente dans cette liste : voici la suivante.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Alix Durand")).to_be_visible()
    expect(page.locator(".decision-facts").get_by_text("Nom sur la liste, email différent")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Refuser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refuser l'inscription")
    axe_check(page)
    page.get_by_label("Vous ne faites pas partie du personnel de la structure.").check()
    page.get_by_role("button", name="Refuser").click()
    # The last one: back to the queue, which says so.
    expect(page.get_by_text("Inscription de Alix Durand refusée.")).to_be_visible()
    expect(page.get_by_text("C'était la dernière inscription en attente de cette liste.")).to_be_visible()
    axe_check(page)

    # The departures to deal with, and the identity page.
    page.goto("/admin/structures/member/?liste=departs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Départs à traiter")
    axe_check(page)
    page.goto("/admin/structures/member/?status=all")
    page.get_by_role("link", name="Lefèvre Anaïs").click()
    page.get_by_role("link", name="Modifier l'identité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier l'identité de Anaïs Lefèvre")
    expect(page.get_by_label("Nom :", exact=True)).to_have_value("Lefèvre")
    axe_check(page)
