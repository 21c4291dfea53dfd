"""Every admin action of every ModelAdmin, given a selection it cannot act on: ids of another
structure, ids that no longer match the list (decided meanwhile), missing or forged ids. The
answer is a French message and a redirect; nothing changes, nothing is sent."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import RequestFactory

from accounts.models import User
from ceplus.admin_base import NOTHING_TO_ACT_ON
from ceplus.models import OutgoingEmail
from ceplus.tests.factories import InvitationFactory, PendingMemberFactory
from structures.models import Invitation, Member, MembershipDecision, Structure
from structures.services import member_approve


def actions_of(user) -> list[tuple[object, str, str]]:
    """(model, changelist URL, action name) of every action ``user`` is offered, on every admin."""
    request = RequestFactory().get("/admin/")
    request.user = user
    found = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        found += [(model, url, name) for name in model_admin.get_actions(request)]
    return found


def snapshot() -> tuple:
    return (
        list(User.objects.order_by("pk").values_list("pk", "status", "is_active")),
        list(Invitation.objects.order_by("pk").values_list("pk", "revoked_at", "sent_at")),
        MembershipDecision.objects.count(),
        OutgoingEmail.objects.count(),
    )


def post_action(client, url: str, action: str, ids: list[str], *, confirmed: bool):
    data = {"action": action, "_selected_action": ids, "index": "0"}
    if confirmed:
        # The second step of the actions that ask for a confirmation (a reason, a deletion).
        data = {**data, "post": "yes", "reason_choice": "other", "reason_text": "Motif", "reason": "Motif"}
        data.pop("index")
    # The queue opens on the registrations that wait: ask for the whole list.
    return client.post(url + ("?status=all" if url == "/admin/structures/member/" else ""), data)


def assert_refused_with_a_message(response, where):
    assert response.status_code == 302, (where, response.status_code)
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert str(NOTHING_TO_ACT_ON) in texts, (where, texts)


@pytest.fixture
def ids_of_b(structure_b, member_b):
    """Structure B's ids by model; a model B has nothing of gets an id nobody has."""
    invitation = InvitationFactory(
        structure=structure_b, kind=Invitation.Kind.PERSONAL, email="b@example.org"
    )
    known = {User: member_b.pk, Member: member_b.pk, Invitation: invitation.pk, Structure: structure_b.pk}
    return lambda model: [str(known.get(model, 999_999))]


@pytest.mark.django_db
@pytest.mark.parametrize("confirmed", [False, True])
def test_every_action_on_only_another_structures_ids_changes_nothing(
    client_a, manager_a, ids_of_b, confirmed
):
    for model, url, action in actions_of(manager_a):
        ids = ids_of_b(model)
        before = snapshot()
        response = post_action(client_a, url, action, ids, confirmed=confirmed)
        assert_refused_with_a_message(response, (url, action))
        assert snapshot() == before, (url, action)


@pytest.mark.django_db
@pytest.mark.parametrize("ids", [["999999"], ["abc"], ["1\x00"], ["-1", ""]])
def test_every_action_of_staff_on_missing_or_forged_ids_changes_nothing(client, staff, ids):
    client.force_login(staff)
    for _model, url, action in actions_of(staff):
        for confirmed in (False, True):
            before = snapshot()
            response = post_action(client, url, action, ids, confirmed=confirmed)
            assert_refused_with_a_message(response, (url, action, confirmed))
            assert snapshot() == before, (url, action)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["approve_selected", "reject_selected", "deactivate_selected"])
def test_a_selection_decided_meanwhile_by_another_manager_gets_a_message(
    client_a, manager_a, structure_a, action
):
    """The queue (open on the registrations that wait) no longer lists a member another
    manager has just approved: deciding on them is refused with a message."""
    member = PendingMemberFactory(structure=structure_a)
    other_manager = User.objects.get(pk=manager_a.pk)
    member_approve(member=member, acting_user=other_manager)
    before = snapshot()
    for confirmed in (False, True):
        data = {"action": action, "_selected_action": [member.pk], "index": "0"}
        if confirmed:
            data = {
                "action": action,
                "_selected_action": [member.pk],
                "post": "yes",
                "reason_choice": "other",
            }
        response = client_a.post("/admin/structures/member/", data)
        assert_refused_with_a_message(response, (action, confirmed))
    assert snapshot() == before
