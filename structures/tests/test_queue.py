"""The validation queue: opens on the registrations that wait, counts per status, the columns a
manager needs, and a constant number of queries however long the page."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import JobTitle, User
from ceplus.tests.factories import (
    BeneficiaryFactory,
    MemberFactory,
    PendingMemberFactory,
    RosterEntryFactory,
)

QUEUE = "/admin/structures/member/"


@pytest.mark.django_db
def test_the_queue_opens_on_pending_registrations_with_counts(client_a, structure_a, member_a):
    MemberFactory(structure=structure_a, last_name="Validé-Déjà")
    PendingMemberFactory(structure=structure_a, last_name="Attente-Deux")
    page = client_a.get(QUEUE).text
    assert "Petit" in page
    assert "Attente-Deux" in page
    assert "Validé-Déjà" not in page
    assert "En attente de validation (2)" in page
    assert "Validé (1)" in page
    assert "Refusé (0)" in page
    assert "Tous (3)" in page
    everyone = client_a.get(QUEUE + "?status=all").text
    assert "Validé-Déjà" in everyone


@pytest.mark.django_db
def test_the_columns_say_who_asked_what_and_when(client_a, structure_a):
    member = PendingMemberFactory(
        structure=structure_a,
        last_name="Martin",
        first_name="Marie",
        email="marie.martin@example.org",
        job_title=JobTitle.objects.filter(name__startswith="Comptable").first(),
    )
    EmailAddress.objects.create(user=member, email=member.email, primary=True, verified=True)
    BeneficiaryFactory(member=member, relationship="conjoint", birth_date=datetime.date(1990, 1, 1))
    today = timezone.localdate()
    BeneficiaryFactory(member=member, birth_date=today.replace(year=today.year - 9))
    BeneficiaryFactory(member=member, birth_date=today - datetime.timedelta(days=4 * 366))
    unconfirmed = PendingMemberFactory(structure=structure_a, last_name="Sansclic")
    page = client_a.get(QUEUE + "?status=all").text
    for heading in ("Nom et fonction", "Email", "Demande", "Foyer", "Liste du personnel", "Statut"):
        assert heading in page
    assert 'Martin Marie<br><span class="row-detail">Comptable' in page
    assert 'marie.martin@example.org<br><span class="row-detail email-state">adresse confirmée</span>' in page
    assert f'{unconfirmed.email}<br><span class="row-detail email-state">adresse non confirmée</span>' in page
    assert "Conjoint·e, 2 enfants (4 et 9 ans)" in page
    assert "Aucun bénéficiaire" in page
    assert "depuis aujourd&#x27;hui" in page


@pytest.mark.django_db
def test_the_status_column_shows_when_every_status_is_listed(client_a, member_a):
    assert "column-status" not in client_a.get(QUEUE).text
    assert "column-status" in client_a.get(QUEUE + "?status=all").text


@pytest.mark.django_db
def test_the_structure_column_shows_only_to_those_with_several_structures(client_a, client, staff, member_a):
    assert "column-structure" not in client_a.get(QUEUE).text
    client.force_login(staff)
    assert "column-structure" in client.get(QUEUE).text


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_rows(client_a, structure_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_a.get(QUEUE + "?status=all").status_code == 200
        return len(captured)

    for member in PendingMemberFactory.create_batch(2, structure=structure_a):
        BeneficiaryFactory(member=member)
    queries()  # the first request fills the caches (content types, permissions)
    few = queries()
    for member in PendingMemberFactory.create_batch(12, structure=structure_a):
        BeneficiaryFactory(member=member)
        BeneficiaryFactory(member=member, relationship="conjoint")
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
        RosterEntryFactory(structure=structure_a, email=member.email)
    RosterEntryFactory(structure=structure_a, last_name=member.last_name, first_name=member.first_name)
    assert queries() == few


@pytest.mark.django_db
@pytest.mark.real_hashers
def test_the_member_page_shows_everything_they_sent(client_a, structure_a):
    from accounts.models import Consent
    from ceplus.models import LegalDocument
    from ceplus.tests.factories import AddressFactory, InvitationFactory, LegalDocumentFactory

    invitation = InvitationFactory(structure=structure_a)
    member = PendingMemberFactory(structure=structure_a, invitation=invitation)
    AddressFactory(user=member, line1="3 rue du Sauvage", postal_code="68100", city="Mulhouse")
    BeneficiaryFactory(member=member, first_name="Noé", last_name="Petit")
    Consent.objects.create(
        user=member, document=LegalDocumentFactory(kind=LegalDocument.Kind.CGV, title="CGV")
    )
    page = client_a.get(f"{QUEUE}{member.pk}/change/").text
    assert "3 rue du Sauvage" in page
    assert "Mulhouse" in page
    assert "Noé" in page
    assert "Conditions générales de vente (CGV) — version 1" in page
    assert "Lien partagé de CSE Textiles de Sausheim" in page
    assert "Historique des décisions" in page
    # Nothing of the password, ever.
    assert "argon2" not in page
    assert 'name="password' not in page


@pytest.mark.django_db
def test_the_admin_home_shows_how_many_registrations_wait(client, staff, member_a, member_b):
    client.force_login(staff)
    page = client.get("/admin/").text
    assert "2 inscriptions attendent votre validation" in page
    User.objects.update(status=User.Status.APPROVED)
    assert "Aucune inscription n'attend de validation." in client.get("/admin/").text


@pytest.mark.django_db
def test_admin_labels_are_french(client_a, member_a):
    page = client_a.get(QUEUE).text
    for english in (
        "Select ",
        "Change ",
        "Search",
        "Filter",
        "Action:",
        "All</a>",
        'alt="True"',
        'alt="False"',
    ):
        assert english not in page
    assert "Valider les inscriptions sélectionnées" in page
    assert "Ouvrants-droit" in page


@pytest.mark.django_db
def test_the_admin_home_links_staff_to_the_import_of_former_members(client, client_a, staff):
    assert "/admin/import-membres/" not in client_a.get("/admin/").text
    client.force_login(staff)
    assert 'href="/admin/import-membres/"' in client.get("/admin/").text


@pytest.mark.django_db
def test_the_status_counts_are_counted_with_count_star(client, structure_a, manager_a):
    """The counts per status are ``COUNT(*)``, which PostgreSQL can answer from the queue's
    index alone (``COUNT(id)`` made it read every row)."""
    client.force_login(manager_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/structures/member/").status_code == 200
    grouped = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "accounts_user"."status" AS "status"')
    ]
    assert len(grouped) == 1
    assert "COUNT(*)" in grouped[0]


@pytest.mark.django_db
def test_each_row_links_to_its_members_page_as_reverse_gives_it(client_a, structure_a):
    members = PendingMemberFactory.create_batch(3, structure=structure_a)
    page = client_a.get(QUEUE).text
    links = re.findall(r'<th class="field-full_name"><a href="([^"]+)"', page)
    assert sorted(links) == sorted(reverse("admin:structures_member_change", args=[m.pk]) for m in members)
