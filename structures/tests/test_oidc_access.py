"""Only validated members (approved, active) and CE+ Services staff sign in to a service:
anyone else signed in reads why, in French, with their structure's contact, and gets no code.
A refusal or a deactivation ends every token the services hold for the member."""

import pytest
from allauth.idp.oidc.models import Token

from ceplus.tests.factories import (
    ManagerFactory,
    MemberFactory,
    PendingMemberFactory,
    StaffFactory,
    StructureFactory,
)
from structures.services import member_approve, member_deactivate, member_reactivate, member_reject
from structures.tests.oidc_helpers import authorize_params, register_service

pytestmark = pytest.mark.django_db

AUTHORIZE = "/identity/o/authorize"


@pytest.fixture
def structure():
    return StructureFactory(
        name="CSE Textiles", contact_email="cse@textiles.example", contact_phone="03 89 00 00 00"
    )


@pytest.fixture
def service(structure):
    service, _secret = register_service(structures=[structure])
    return service


def tokens_of(user, client):
    Token.objects.create(user=user, client=client, type=Token.Type.ACCESS_TOKEN, hash=f"a{user.pk}" * 8)
    Token.objects.create(user=user, client=client, type=Token.Type.REFRESH_TOKEN, hash=f"r{user.pk}" * 8)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("pending", "n'a pas encore validé votre inscription"),
        ("rejected", "n'a pas validé votre inscription"),
    ],
)
def test_a_member_not_validated_is_told_why_with_the_contact_and_gets_no_code(
    client, structure, service, status, words
):
    member = PendingMemberFactory(structure=structure, status=status)
    client.force_login(member)
    answer = client.get(AUTHORIZE, authorize_params(service.client_id))
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "Vous ne pouvez pas vous connecter à ce service" in text
    assert words in text
    assert "cse@textiles.example" in text
    assert "Location" not in answer


def test_a_manager_without_membership_is_told_why_and_gets_no_code(client, structure, service):
    client.force_login(ManagerFactory(structures=[structure]))
    answer = client.get(AUTHORIZE, authorize_params(service.client_id))
    assert answer.status_code == 403
    assert "Votre compte de gestionnaire n'y donne pas accès" in answer.content.decode()


def test_staff_may_sign_in(client, service):
    client.force_login(StaffFactory())
    answer = client.get(AUTHORIZE, authorize_params(service.client_id))
    assert answer.status_code == 200
    assert "AUTORISER" in answer.content.decode()


def test_a_deactivation_ends_the_services_tokens_and_keeps_other_members(structure, service):
    member, other = MemberFactory(structure=structure), MemberFactory(structure=structure)
    tokens_of(member, service.client)
    tokens_of(other, service.client)

    member_deactivate(member=member, acting_user=StaffFactory(), reason="Départ")

    assert not Token.objects.filter(user=member).exists()
    assert Token.objects.filter(user=other).count() == 2


def test_a_refusal_ends_the_tokens_and_an_approval_or_reactivation_keeps_them(structure, service):
    staff = StaffFactory()
    pending = PendingMemberFactory(structure=structure)
    tokens_of(pending, service.client)
    member_reject(member=pending, acting_user=staff, reason="Inconnu")
    assert not Token.objects.filter(user=pending).exists()

    approved = PendingMemberFactory(structure=structure)
    member_approve(member=approved, acting_user=staff)
    tokens_of(approved, service.client)
    member_deactivate(member=approved, acting_user=staff)
    tokens_of(approved, service.client)  # as if issued since (they cannot be: nothing signs in)
    member_reactivate(member=approved, acting_user=staff)
    assert Token.objects.filter(user=approved).count() == 2


def test_a_deactivated_member_on_the_way_to_a_service_is_told_why_with_the_contact(
    client, structure, service
):
    from urllib.parse import urlencode

    from ceplus.tests.factories import PASSWORD

    member = MemberFactory(structure=structure)
    member_deactivate(member=member, acting_user=StaffFactory())
    next_url = f"{AUTHORIZE}?{urlencode(authorize_params(service.client_id))}"
    answer = client.post("/compte/login/", {"login": member.email, "password": PASSWORD, "next": next_url})
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "Ce compte est désactivé" in text
    assert "cse@textiles.example" in text
    assert "Location" not in answer
    assert "_auth_user_id" not in client.session


def test_the_logout_asked_by_a_service_is_in_french_and_the_device_flow_is_not_offered(client, service):
    member = MemberFactory()
    client.force_login(member)
    page = client.get("/identity/o/logout", {"client_id": service.client_id})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Voulez-vous aussi vous déconnecter de votre compte CE+ Services" in text
    assert "Sign Out" not in text
    assert client.get("/identity/o/device").status_code == 404
    assert (
        client.post(
            "/identity/o/logout", {"client_id": service.client_id, "action": "logout", **csrf(client)}
        ).status_code
        == 302
    )
    assert "_auth_user_id" not in client.session


def csrf(client) -> dict:
    import re

    page = client.get("/identity/o/logout").content.decode()
    return {"csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)}
