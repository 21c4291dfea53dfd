"""Browser journey (Chromium): on a phone, a member adds a 22-year-old student and sends a
certificat de scolarité; on a desktop, the structure's manager opens it from "Justificatifs à
vérifier" and accepts it; the file is gone and the member reads "Vérifié". axe-core is clean on
every new page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Consent
from beneficiaries.models import Proof, ProofFile, ProofKind
from ceplus.tests.factories import (
    PASSWORD,
    AddressFactory,
    ManagerFactory,
    MemberFactory,
    StructureFactory,
    publish_consent_documents,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JPEG_BYTES = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 2048 + b"\xff\xd9"
)


def test_a_student_proof_is_sent_from_a_phone_and_accepted_by_the_manager(
    page, chromium, live_server, axe_check, admin_sign_in
):
    structure = StructureFactory(
        name="CSE Textiles",
        child_age_limit=21,
        child_extended_age_limit=26,
        child_extended_proofs=[ProofKind.CERTIFICAT_SCOLARITE, ProofKind.CONTRAT_APPRENTISSAGE],
    )
    member = MemberFactory(
        email="marie@example.org", first_name="Marie", last_name="Martin", structure=structure
    )
    for document in publish_consent_documents().values():
        Consent.objects.create(user=member, document=document)
    AddressFactory(user=member)
    ManagerFactory(email="gestion@textiles.example", structures=[structure])
    birth = timezone.localdate().replace(year=timezone.localdate().year - 22) - datetime.timedelta(days=30)

    # given: Marie, on her phone, adds Hugo, 22, a student
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill("marie@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="CONNEXION").click()
    page.goto(reverse("beneficiary_list"))
    expect(page.get_by_text("et de moins de 26 ans avec chaque année un justificatif")).to_be_visible()
    page.get_by_role("link", name="Ajouter un bénéficiaire").click()
    page.get_by_label("Lien avec vous").select_option("child")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Martin")
    page.get_by_label("Prénom").fill("Hugo")
    group = page.get_by_role("group", name="Date de naissance")
    group.get_by_label("Jour", exact=True).fill(str(birth.day))
    group.get_by_label("Mois", exact=True).fill(str(birth.month))
    group.get_by_label("Année", exact=True).fill(str(birth.year))
    page.get_by_role("button", name="Enregistrer").click()
    hugo = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Hugo Martin"))
    expect(hugo.get_by_text("Justificatif à envoyer")).to_be_visible()
    axe_check(page)

    # when: she sends the certificate, a photo
    hugo.get_by_role("link", name="Envoyer un justificatif").click()
    expect(page).to_have_title("Envoyer un justificatif pour Hugo – Mon espace adhérent – CE+ Services")
    axe_check(page)
    page.get_by_role("button", name="Envoyer le justificatif").click()
    expect(page).to_have_title(
        "Erreur : Envoyer un justificatif pour Hugo – Mon espace adhérent – CE+ Services"
    )
    expect(page.get_by_role("alert")).to_contain_text("Choisissez le document que vous envoyez.")
    axe_check(page)
    page.get_by_label("Certificat de scolarité").check()
    page.get_by_label("Fichier du justificatif").set_input_files(
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": JPEG_BYTES}
    )
    page.get_by_role("button", name="Envoyer le justificatif").click()
    expect(page.get_by_text("Votre justificatif pour Hugo est envoyé.")).to_be_visible()
    expect(page.get_by_text("Justificatif envoyé, à vérifier")).to_be_visible()
    proof = Proof.objects.get()
    assert ProofFile.objects.filter(proof=proof).exists()

    # then: the manager, at her desk, opens it and accepts it
    manager_page = chromium.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1366, "height": 900}
    ).new_page()
    admin_sign_in(manager_page, "gestion@textiles.example")
    manager_page.get_by_role("link", name="Justificatifs").first.click()
    expect(manager_page.get_by_role("link", name="Hugo Martin (Enfant à charge)")).to_be_visible()
    axe_check(manager_page)
    manager_page.get_by_role("link", name="Hugo Martin (Enfant à charge)").click()
    expect(manager_page.get_by_text("Prolongation au-delà de l'âge limite")).to_be_visible()
    axe_check(manager_page)
    with manager_page.expect_download() as download:
        manager_page.get_by_role("link", name="Ouvrir le justificatif").click()
    assert download.value.suggested_filename == f"justificatif-{proof.pk}.jpg"
    manager_page.get_by_role("button", name="Accepter le justificatif").click()
    expect(
        manager_page.get_by_text("Justificatif de Hugo accepté ; le fichier est supprimé.")
    ).to_be_visible()
    assert not ProofFile.objects.exists()
    manager_page.context.close()

    page.goto(reverse("beneficiary_list"))
    expect(page.get_by_text(f"Vérifié le {timezone.localdate():%d/%m/%Y}")).to_be_visible()
