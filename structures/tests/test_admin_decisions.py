"""Decisions from the admin: buttons on the member's page (one member) and actions on the
queue (several), all through the same services."""

import pytest

from accounts.models import User
from ceplus.tests.factories import MemberFactory, PendingMemberFactory
from structures.models import MembershipDecision

QUEUE = "/admin/structures/member/"


def change_url(member):
    return f"{QUEUE}{member.pk}/change/"


def decision_url(member, decision):
    return f"{QUEUE}{member.pk}/decision/{decision}/"


@pytest.mark.django_db
def test_the_member_page_offers_the_decisions_of_its_status(client_a, member_a):
    page = client_a.get(change_url(member_a)).text
    assert decision_url(member_a, "valider") in page
    assert decision_url(member_a, "refuser") in page
    assert decision_url(member_a, "desactiver") not in page
    assert "Envoyer un lien de réinitialisation du mot de passe" in page


@pytest.mark.django_db
def test_approve_button_validates_at_once(
    client_a, member_a, manager_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(decision_url(member_a, "valider"), follow=True)
    # The last registration waiting: back to the queue, which says so.
    assert response.redirect_chain[-1][0] == "/admin/structures/member/"
    assert (
        "Inscription de Léa Petit validée. C&#x27;était la dernière inscription en attente" in response.text
    )
    member_a.refresh_from_db()
    assert member_a.status == User.Status.APPROVED
    assert MembershipDecision.objects.get(member=member_a).acting_user == manager_a
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_reject_asks_for_a_reason_on_a_confirmation_page(client_a, member_a, mailoutbox):
    page = client_a.get(decision_url(member_a, "refuser"))
    assert page.status_code == 200
    assert "Motif du refus" in page.text
    assert "Vous ne faites pas partie du personnel de la structure." in page.text

    empty = client_a.post(decision_url(member_a, "refuser"), {"reason_choice": "other", "reason_text": ""})
    assert empty.status_code == 200
    assert "<title>Erreur :" in empty.text
    assert "Saisissez le motif du refus." in empty.text
    member_a.refresh_from_db()
    assert member_a.status == User.Status.PENDING


@pytest.mark.django_db
def test_reject_with_a_usual_reason(client_a, member_a, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            decision_url(member_a, "refuser"),
            {"reason_choice": "not_staff", "reason_text": "Contrat terminé en mai."},
        )
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert member_a.status == User.Status.REJECTED
    assert (
        member_a.status_reason
        == "Vous ne faites pas partie du personnel de la structure. Contrat terminé en mai."
    )
    assert member_a.status_reason in mailoutbox[0].body


@pytest.mark.django_db
def test_reject_with_a_typed_reason(client_a, member_a):
    client_a.post(
        decision_url(member_a, "refuser"), {"reason_choice": "other", "reason_text": "Doublon de compte"}
    )
    member_a.refresh_from_db()
    assert member_a.status_reason == "Doublon de compte"


@pytest.mark.django_db
def test_deactivate_from_the_member_page(client_a, structure_a):
    member = MemberFactory(structure=structure_a)
    assert client_a.get(decision_url(member, "desactiver")).status_code == 200
    client_a.post(decision_url(member, "desactiver"), {"reason": "A quitté l'entreprise"})
    member.refresh_from_db()
    assert (member.status, member.is_active) == (User.Status.DEACTIVATED, False)
    client_a.post(decision_url(member, "reactiver"))
    member.refresh_from_db()
    assert (member.status, member.is_active) == (User.Status.APPROVED, True)


@pytest.mark.django_db
def test_a_decision_that_no_longer_fits_is_reported_not_applied(client_a, structure_a):
    member = MemberFactory(structure=structure_a)  # already approved
    response = client_a.post(decision_url(member, "valider"), follow=True)
    assert (
        "cette décision ne s&#x27;applique pas" in response.text
        or "cette décision ne s'applique pas" in response.text
    )
    assert not MembershipDecision.objects.exists()


@pytest.mark.django_db
def test_bulk_approve(client_a, structure_a, django_capture_on_commit_callbacks, mailoutbox):
    members = PendingMemberFactory.create_batch(3, structure=structure_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            QUEUE, {"action": "approve_selected", "_selected_action": [m.pk for m in members]}, follow=True
        )
    assert "3 inscriptions validées." in response.text
    assert User.objects.filter(pk__in=[m.pk for m in members], status=User.Status.APPROVED).count() == 3
    assert MembershipDecision.objects.count() == 3
    assert len(mailoutbox) == 3


@pytest.mark.django_db
def test_bulk_reject_goes_through_the_reason_page(
    client_a, structure_a, mailoutbox, django_capture_on_commit_callbacks
):
    members = PendingMemberFactory.create_batch(2, structure=structure_a)
    ids = [m.pk for m in members]
    confirmation = client_a.post(QUEUE, {"action": "reject_selected", "_selected_action": ids})
    assert confirmation.status_code == 200
    assert "Motif du refus" in confirmation.text
    assert User.objects.filter(pk__in=ids, status=User.Status.PENDING).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        done = client_a.post(
            QUEUE,
            {
                "action": "reject_selected",
                "_selected_action": ids,
                "post": "yes",
                "reason_choice": "unknown_identity",
                "reason_text": "",
            },
        )
    assert done.status_code == 302
    assert User.objects.filter(pk__in=ids, status=User.Status.REJECTED).count() == 2
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_bulk_deactivate_needs_confirmation_then_applies(client_a, structure_a):
    members = MemberFactory.create_batch(2, structure=structure_a)
    ids = [m.pk for m in members]
    params = "?status=approved"
    assert (
        client_a.post(QUEUE + params, {"action": "deactivate_selected", "_selected_action": ids}).status_code
        == 200
    )
    client_a.post(
        QUEUE + params,
        {"action": "deactivate_selected", "_selected_action": ids, "post": "yes", "reason": ""},
    )
    assert User.objects.filter(pk__in=ids, status=User.Status.DEACTIVATED, is_active=False).count() == 2


@pytest.mark.django_db
def test_the_decision_history_shows_on_the_member_page(client_a, member_a, manager_a):
    client_a.post(
        decision_url(member_a, "refuser"), {"reason_choice": "other", "reason_text": "Doublon de compte"}
    )
    page = client_a.get(change_url(member_a)).text
    assert "Historique des décisions" in page
    assert "Doublon de compte" in page
    assert "En attente de validation" in page
    assert "Refusé" in page


@pytest.mark.django_db
def test_a_decision_from_an_out_of_date_page_is_refused(client_a, member_a, manager_b, mailoutbox):
    """Another manager refused while this page showed "en attente": its Valider does nothing."""
    page = client_a.get(change_url(member_a)).text
    assert 'name="seen_status" value="pending"' in page
    User.objects.filter(pk=member_a.pk).update(status=User.Status.REJECTED)
    response = client_a.post(decision_url(member_a, "valider"), {"seen_status": "pending"}, follow=True)
    assert "le statut a changé entre-temps" in response.text
    member_a.refresh_from_db()
    assert member_a.status == User.Status.REJECTED
    assert not MembershipDecision.objects.exists()
