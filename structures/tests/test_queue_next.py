"""Deciding from a member's page: read-only facts, the identity behind its own link, and the next
registration of the same list after each decision."""

import datetime
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from accounts.models import User
from ceplus.tests.factories import BeneficiaryFactory, PendingMemberFactory, RosterEntryFactory
from ceplus.text import name_key

QUEUE = "/admin/structures/member/"


def member_url(member, filters: str = "") -> str:
    url = f"{QUEUE}{member.pk}/change/"
    return f"{url}?{urlencode({'_changelist_filters': filters})}" if filters else url


def decision_url(member, key: str, filters: str = "") -> str:
    url = f"{QUEUE}{member.pk}/decision/{key}/"
    return f"{url}?{urlencode({'_changelist_filters': filters})}" if filters else url


@pytest.fixture
def three_waiting(structure_a):
    """Three registrations of structure A, oldest first: Aubert, Bernard, Colin."""
    now = timezone.now()
    return [
        PendingMemberFactory(
            structure=structure_a, last_name=name, date_joined=now - datetime.timedelta(days=days)
        )
        for name, days in (("Aubert", 9), ("Bernard", 5), ("Colin", 1))
    ]


@pytest.mark.django_db
def test_the_queue_lists_the_longest_waiting_first(client_a, three_waiting):
    page = client_a.get(QUEUE).text
    assert page.index("Aubert") < page.index("Bernard") < page.index("Colin")
    assert "depuis 9 jours" in page
    # Past the structure's reminder delay (7 days): marked.
    assert page.count("en retard") == 1


@pytest.mark.django_db
def test_validating_from_the_page_lands_on_the_next_one_with_what_remains(client_a, three_waiting):
    aubert, bernard, _colin = three_waiting
    response = client_a.post(decision_url(aubert, "valider"), {"seen_status": "pending"}, follow=True)
    assert response.redirect_chain[-1][0] == member_url(bernard)
    assert "Inscription de Camille Aubert validée." in response.text
    assert "Encore 2 inscriptions en attente dans cette liste : voici la suivante." in response.text
    aubert.refresh_from_db()
    assert aubert.status == User.Status.APPROVED


@pytest.mark.django_db
def test_the_next_one_is_taken_from_the_same_filtered_list(client_a, three_waiting, structure_a):
    aubert, _bernard, colin = three_waiting
    RosterEntryFactory(structure=structure_a, email=aubert.email)
    RosterEntryFactory(structure=structure_a, email=colin.email)
    filters = "liste=listed"
    page = client_a.get(member_url(aubert, filters)).text
    # The decision carries the list it came from.
    assert decision_url(aubert, "valider", filters).replace("&", "&amp;") in page
    response = client_a.post(decision_url(aubert, "valider", filters), follow=True)
    # Bernard is not on the list: the next listed one is Colin.
    assert response.redirect_chain[-1][0] == member_url(colin, filters)
    assert "Encore 1 inscription en attente dans cette liste" in response.text


@pytest.mark.django_db
def test_a_refusal_from_the_page_also_leads_to_the_next_one(client_a, three_waiting):
    aubert, bernard, _colin = three_waiting
    response = client_a.post(
        decision_url(aubert, "refuser"),
        {"reason_choice": "not_staff", "post": "yes", "seen_status": "pending"},
        follow=True,
    )
    aubert.refresh_from_db()
    assert aubert.status == User.Status.REJECTED, response.text[-3000:]
    assert response.redirect_chain[-1][0] == member_url(bernard)
    assert "Inscription de Camille Aubert refusée." in response.text


@pytest.mark.django_db
def test_the_last_one_leads_back_to_the_list_saying_so(client_a, member_a):
    response = client_a.post(decision_url(member_a, "valider", "status=pending"), follow=True)
    assert response.redirect_chain[-1][0] == f"{QUEUE}?status=pending"
    assert "C&#x27;était la dernière inscription en attente de cette liste." in response.text


@pytest.mark.django_db
def test_a_decision_refused_by_the_rules_stays_on_the_page(client_a, three_waiting):
    aubert = three_waiting[0]
    User.objects.filter(pk=aubert.pk).update(status=User.Status.APPROVED)
    response = client_a.post(decision_url(aubert, "valider"), {"seen_status": "pending"}, follow=True)
    assert response.redirect_chain[-1][0] == member_url(aubert)
    assert "le statut a changé entre-temps" in response.text


@pytest.mark.django_db
def test_deactivating_a_validated_member_stays_on_their_page(client_a, structure_a, three_waiting):
    validated = PendingMemberFactory(structure=structure_a, status=User.Status.APPROVED)
    response = client_a.post(decision_url(validated, "desactiver"), {"post": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == member_url(validated)
    assert "1 accès désactivé." in response.text


@pytest.mark.django_db
def test_a_broken_list_in_the_link_still_leads_to_a_pending_one(client_a, three_waiting):
    aubert, bernard, _colin = three_waiting
    response = client_a.post(
        decision_url(aubert, "valider", "date_joined__gte=pas-une-date&o=zz"), follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(f"{QUEUE}{bernard.pk}/change/")


@pytest.mark.django_db
def test_the_member_page_is_read_only_with_the_facts_of_the_decision(client_a, structure_a, member_a):
    BeneficiaryFactory(member=member_a, relationship="conjoint")
    RosterEntryFactory(structure=structure_a, email=member_a.email)
    page = client_a.get(member_url(member_a)).text
    assert "Sur la liste du personnel" in page
    assert "Conjoint·e" in page
    assert 'name="last_name"' not in page
    assert 'name="_save"' not in page
    assert "Valider et passer à la suivante" in page
    assert "Modifier l'identité" in page


@pytest.mark.django_db
def test_the_identity_is_changed_behind_its_own_link(client_a, member_a):
    page = client_a.get(member_url(member_a) + "?identite=1").text
    assert 'name="last_name"' in page
    assert "Historique des décisions" not in page
    response = client_a.post(
        member_url(member_a) + "?identite=1",
        {"last_name": "Petit-Durand", "first_name": member_a.first_name, "phone": ""},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == member_url(member_a)
    assert "L&#x27;identité de" in response.text
    member_a.refresh_from_db()
    assert member_a.last_name == "Petit-Durand"
    # The name key follows the name.
    assert member_a.name_key == name_key("Petit-Durand", member_a.first_name)
