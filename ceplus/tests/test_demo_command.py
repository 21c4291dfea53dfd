"""`manage.py demo`: idempotent demo data, and the lines the README promises."""

import io
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Address, User
from beneficiaries.models import Beneficiary, Proof
from beneficiaries.services import proof_file_content
from ceplus.models import LegalDocument
from ceplus.tests import factories
from structures.models import Invitation, RosterImport, Structure


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_prints_one_line_per_item_in_the_promised_forms():
    output = run_demo("--base-url", "http://demo.example:8000")
    lines = output.splitlines()
    invite_urls = [line for line in lines if line.startswith("invite_url: ")]
    managers = [line for line in lines if line.startswith("manager: ")]
    assert len(invite_urls) == 2
    assert len(managers) == 2
    assert all(
        re.fullmatch(r"invite_url: http://demo\.example:8000/inscription/[\w-]{40,}/", url)
        for url in invite_urls
    )
    assert all(re.fullmatch(r"manager: \S+@\S+ / \S+", line) for line in managers)
    assert len([line for line in lines if re.fullmatch(r"staff: \S+@\S+ / \S+", line)]) == 1
    assert len([line for line in lines if re.fullmatch(r"member: \S+@\S+ / \S+", line)]) == 1
    assert any(
        re.fullmatch(
            r"partner_service: .+ / client_id: \S+ / client_secret: \S+ / redirect_uri: http://127\.0\.0\.1\S+",
            line,
        )
        for line in lines
    )
    # The structures come in the same order for invite links and managers.
    order = [line for line in lines if line.startswith(("invite_url: ", "manager: "))]
    assert [line.split(":")[0] for line in order] == ["invite_url", "manager", "invite_url", "manager"]


@pytest.mark.django_db
def test_demo_is_idempotent():
    first = run_demo()
    counts = [
        model.objects.count() for model in (Structure, User, Address, Beneficiary, LegalDocument, Invitation)
    ]
    second = run_demo()
    assert counts == [
        model.objects.count() for model in (Structure, User, Address, Beneficiary, LegalDocument, Invitation)
    ]
    assert first == second


@pytest.mark.django_db
def test_demo_accounts_log_in_with_the_printed_passwords(client):
    output = run_demo()
    managers = [
        line.removeprefix("manager: ").split(" / ")
        for line in output.splitlines()
        if line.startswith("manager: ")
    ]
    email, password = managers[0]
    assert client.login(username=email, password=password)
    # Their first visit to the admin asks for a second factor; with one they reach it.
    response = client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/compte/2fa/")
    TOTP.activate(User.objects.get(email=email), factories.TOTP_SECRET)
    assert client.get("/admin/").status_code == 200
    member_email, _member_password = next(
        line.removeprefix("member: ").split(" / ")
        for line in output.splitlines()
        if line.startswith("member: ")
    )
    member = User.objects.get(email=member_email)
    assert member.status == User.Status.APPROVED
    assert member.address.city
    # Léa, and for the proofs: Thomas (his livret de famille waits) and Camille, 22.
    assert member.beneficiaries.count() == 3
    assert {doc.kind for doc in LegalDocument.objects.published()} == set(LegalDocument.Kind.values)
    pending_email = next(
        line.removeprefix("pending: ").split(" / ")[0]
        for line in output.splitlines()
        if line.startswith("pending: ")
    )
    assert User.objects.get(email=pending_email).status == User.Status.PENDING


@pytest.mark.django_db
def test_demo_invite_links_open_the_signup(client):
    output = run_demo("--base-url", "http://testserver")
    url = next(
        line.removeprefix("invite_url: ") for line in output.splitlines() if line.startswith("invite_url: ")
    )
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_the_first_structure_has_a_staff_list_that_shows_every_badge(client):
    run_demo()
    manager = User.objects.get(email="gestionnaire@cse-textiles.example")
    TOTP.activate(manager, factories.TOTP_SECRET)
    client.force_login(manager)
    queue = client.get("/admin/structures/member/").text
    assert "paul.bernard@example.org" in queue
    assert '<span class="roster-badge roster-listed">Sur la liste du personnel</span>' in queue
    assert "Nom sur la liste, email différent" in queue
    assert "Hors liste" in queue
    departures = client.get("/admin/structures/member/?liste=departs").text
    assert "julien.roux@example.org" in departures
    assert "marie.martin@example.org" not in departures
    # Run again: the same list, uploaded once.
    run_demo()
    assert RosterImport.objects.count() == 1


@pytest.mark.django_db
def test_the_first_structure_asks_proofs_extends_children_and_has_an_open_campaign(client):
    run_demo()
    structure = Structure.objects.get(name="CSE Textiles de Sausheim")
    assert structure.proof_kinds_for("spouse") == ["livret_famille"]
    assert structure.proof_kinds_for("pacs") == ["attestation_pacs"]
    assert (structure.child_age_limit, structure.child_extended_age_limit) == (21, 26)
    assert structure.extended_age_proof_kinds() == ["certificat_scolarite", "contrat_apprentissage"]
    campaign = structure.campaigns.get()
    assert campaign.starts_on < timezone.localdate() < campaign.deadline
    client.force_login(User.objects.get(email="marie.martin@example.org"))
    assert "Mettez à jour vos bénéficiaires avant le" in client.get("/espace/").text


@pytest.mark.django_db
def test_a_proof_waits_in_the_first_structures_list_and_marie_has_one_to_send(client):
    run_demo()
    structure = Structure.objects.get(name="CSE Textiles de Sausheim")
    (proof,) = Proof.objects.filter(status=Proof.Status.PENDING)
    assert proof.beneficiary.member.structure == structure
    assert proof_file_content(proof)[0].startswith(b"%PDF-")
    manager = structure.managers.get()
    factories.with_second_factor(manager, True, None)
    client.force_login(manager)
    assert (
        reverse("admin:beneficiaries_proof_change", args=[proof.pk])
        in client.get(reverse("admin:beneficiaries_proof_changelist")).text
    )
    client.force_login(User.objects.get(email="marie.martin@example.org"))
    page = client.get(reverse("beneficiary_list")).text
    assert "Justificatif envoyé, à vérifier" in page  # Thomas
    assert "Justificatif à envoyer" in page  # Camille, 22


@pytest.mark.django_db
def test_demo_shows_the_partner_service_tile_on_maries_home(client):
    output = run_demo()
    line = next(line for line in output.splitlines() if line.startswith("partner_service: "))
    client_id = re.search(r"client_id: (\S+)", line).group(1)
    secret = re.search(r"client_secret: (\S+)", line).group(1)
    from allauth.idp.oidc.models import Client

    assert Client.objects.get(id=client_id).check_secret(secret)
    client.force_login(User.objects.get(email="marie.martin@example.org"))
    page = client.get("/espace/").content.decode()
    assert "Vos services" in page
    assert "Billetterie CE+" in page
