"""Every change made in the admin goes through the service that owns it, and leaves its record:
a staff correction of a beneficiary obeys the structure's rules and writes the history; moving
a member to another structure is a decision of its own, recorded and emailed; an import that
changes a beneficiary shows in the managers' history; a manager's edit of a member's profile
and an invitation revoked say who did them."""

import datetime

import pytest

from accounts.models import Event, User
from beneficiaries.models import BeneficiaryChange, Relationship
from beneficiaries.services import beneficiary_add
from ceplus.tests.factories import InvitationFactory, MemberFactory, StructureFactory
from structures import lifecycle
from structures.imports import members_import
from structures.models import Invitation, MembershipDecision

pytestmark = pytest.mark.django_db


def beneficiary_form(beneficiary, **changes) -> dict:
    data = {
        "relationship": beneficiary.relationship,
        "last_name": beneficiary.last_name,
        "first_name": beneficiary.first_name,
        "birth_date": beneficiary.birth_date.isoformat(),
    }
    return {**data, **changes}


@pytest.fixture
def family(structure_a):
    structure_a.child_age_limit = 20
    structure_a.allowed_beneficiary_kinds = [Relationship.CHILD, Relationship.SPOUSE]
    structure_a.save()
    member = MemberFactory(structure=structure_a, last_name="Petit")
    child = beneficiary_add(
        member=member,
        relationship=Relationship.CHILD,
        last_name="Petit",
        first_name="Léa",
        birth_date=datetime.date(2016, 3, 14),
        acting_user=member,
    )
    return member, child


def test_a_staff_edit_that_breaks_the_structures_rule_is_refused(client, staff, family):
    _member, child = family
    client.force_login(staff)
    url = f"/admin/beneficiaries/beneficiary/{child.pk}/change/"
    too_old = beneficiary_form(child, birth_date="1990-01-01")
    not_allowed = beneficiary_form(child, relationship=Relationship.CONCUBIN)
    for data in (too_old, not_allowed):
        response = client.post(url, data)
        assert response.status_code == 200
        assert "errornote" in response.text or "errorlist" in response.text
    child.refresh_from_db()
    assert (child.relationship, child.birth_date) == (Relationship.CHILD, datetime.date(2016, 3, 14))
    assert not BeneficiaryChange.objects.filter(action=BeneficiaryChange.Action.UPDATED).exists()


def test_an_allowed_staff_edit_writes_the_history(client, staff, family):
    _member, child = family
    client.force_login(staff)
    response = client.post(
        f"/admin/beneficiaries/beneficiary/{child.pk}/change/", beneficiary_form(child, first_name="Léane")
    )
    assert response.status_code == 302, response.text[:2000]
    child.refresh_from_db()
    assert child.first_name == "Léane"
    change = BeneficiaryChange.objects.get(action=BeneficiaryChange.Action.UPDATED)
    assert change.acting_user == staff
    assert change.changes == [{"field": "prénom", "before": "Léa", "after": "Léane"}]


def test_a_staff_deletion_in_the_admin_writes_the_history(client, staff, family):
    member, child = family
    client.force_login(staff)
    response = client.post(f"/admin/beneficiaries/beneficiary/{child.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not member.beneficiaries.exists()
    removal = BeneficiaryChange.objects.get(action=BeneficiaryChange.Action.REMOVED)
    assert removal.acting_user == staff
    assert "Léa" in removal.description


def member_page_data(client, member) -> dict:
    from structures.tests.test_isolation import member_form_data

    return member_form_data(client, member)


def test_moving_a_member_records_a_decision_and_emails_the_member(
    client, staff, member_a, structure_a, structure_b, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(staff)
    data = {**member_page_data(client, member_a), "structure": structure_b.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/structures/member/{member_a.pk}/change/", data)
    assert response.status_code == 302, response.text[:3000]
    member_a.refresh_from_db()
    assert member_a.structure == structure_b
    assert member_a.status == User.Status.PENDING
    decision = MembershipDecision.objects.get(member=member_a)
    assert (decision.structure, decision.acting_user) == (structure_b, staff)
    assert (decision.from_status, decision.to_status) == (User.Status.PENDING, User.Status.PENDING)
    assert structure_a.name in decision.reason
    assert structure_b.name in decision.reason
    assert [email.to for email in mailoutbox] == [[member_a.email]]
    assert structure_b.name in mailoutbox[0].subject


def test_a_manager_cannot_move_a_member(client_a, member_a, structure_b, mailoutbox):
    data = {**member_page_data(client_a, member_a), "structure": structure_b.pk}
    client_a.post(f"/admin/structures/member/{member_a.pk}/change/", data)
    member_a.refresh_from_db()
    assert member_a.structure != structure_b
    assert not MembershipDecision.objects.exists()


def test_an_import_that_changes_a_beneficiary_shows_in_the_managers_history(
    client_a, staff, structure_a, family
):
    member, _child = family
    header = "nom;prénom;email;bénéficiaires\n"
    line = f"Petit;Camille;{member.email};enfant:Petit:Léa:14/03/2016|epoux:Petit:Hugo:01/02/1984\n"
    report = members_import(structure=structure_a, content=(header + line).encode(), acting_user=staff)
    assert [item.number for item in report.updated] == [2], report.rejected
    added = BeneficiaryChange.objects.get(
        member=member, action=BeneficiaryChange.Action.ADDED, acting_user=staff
    )
    assert "Hugo" in added.description
    page = client_a.get("/admin/beneficiaries/beneficiarychange/").text
    assert "Hugo" in page


def test_a_managers_profile_edit_of_a_member_says_who_did_it(client_a, manager_a, member_a):
    data = {**member_page_data(client_a, member_a), "last_name": "Petit-Martin"}
    response = client_a.post(f"/admin/structures/member/{member_a.pk}/change/", data)
    assert response.status_code == 302, response.text[:3000]
    event = Event.objects.get(member=member_a, kind=Event.Kind.PROFILE_CHANGED)
    assert event.acting_user == manager_a
    assert event.changes == [{"field": "nom", "before": "Petit", "after": "Petit-Martin"}]
    page = client_a.get(f"/admin/structures/member/{member_a.pk}/change/").text
    assert "Petit-Martin" in page
    assert "Profil modifié" in page


def test_an_invitation_revoked_says_who_did_it(client_a, manager_a, structure_a):
    invitation = InvitationFactory(
        structure=structure_a, kind=Invitation.Kind.PERSONAL, email="x@example.org"
    )
    client_a.post(
        "/admin/structures/invitation/", {"action": "revoke_selected", "_selected_action": [invitation.pk]}
    )
    event = Event.objects.get(kind=Event.Kind.INVITATION_REVOKED)
    assert (event.acting_user, event.structure) == (manager_a, structure_a)
    assert "x@example.org" in event.description
    page = client_a.get("/admin/accounts/event/").text
    assert "x@example.org" in page


def test_another_structures_changes_stay_out_of_the_managers_history(client_a, structure_b):
    other = StructureFactory(name="Autre structure")
    InvitationFactory(structure=other, kind=Invitation.Kind.PERSONAL, email="secret@example.org")
    from structures.services import invitation_revoke

    invitation_revoke(invitation=other.invitations.get(), acting_user=None)
    assert "secret@example.org" not in client_a.get("/admin/accounts/event/").text


@pytest.mark.parametrize("status", list(User.Status.values))
def test_the_member_page_offers_the_transitions_of_the_life_cycle_table(client, staff, structure_a, status):
    member = MemberFactory(structure=structure_a, status=status)
    client.force_login(staff)
    page = client.get(f"/admin/structures/member/{member.pk}/change/").text
    offered = {key for key in lifecycle.TRANSITIONS if f"/decision/{key}/" in page}
    assert offered == {t.key for t in lifecycle.admin_transitions_from(status)}


def test_the_first_decision_names_who_made_it(structure_a, staff):
    """A registration is made by the person; an import by whoever ran it, or nobody (a command
    run without --par)."""
    header = "nom;prénom;email\n"
    members_import(
        structure=structure_a, content=(header + "Roux;Ana;ana@example.org\n").encode(), acting_user=staff
    )
    members_import(structure=structure_a, content=(header + "Roux;Léo;leo@example.org\n").encode())
    by_staff = MembershipDecision.objects.get(member__email="ana@example.org")
    by_command = MembershipDecision.objects.get(member__email="leo@example.org")
    assert (by_staff.acting_user, by_command.acting_user) == (staff, None)
    assert by_command.to_status == User.Status.APPROVED
